package sqlcheck

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// valueKind is what is known of the string an expression builds.
type valueKind int

const (
	// unknownValue: not traced (a parameter, a field, a function's
	// result); the rule stays quiet.
	unknownValue valueKind = iota
	// constValue: a single known string.
	constValue
	// safeValue: built from constants only, in more than one way.
	safeValue
	// unsafeValue: a non-constant value is spliced in.
	unsafeValue
)

type value struct {
	kind valueKind
	s    string   // for constValue
	at   ast.Node // for unsafeValue: the non-constant part
}

// def is one assignment to a variable: e is the value assigned (nil for a
// zero value or an untraceable one), concat marks += .
type def struct {
	e      ast.Expr
	concat bool
	zero   bool
}

// values traces the strings held by the package's variables through their
// assignments, flow-insensitively: a variable is as unsafe as the worst
// value ever assigned to it.
type values struct {
	pass     *analysis.Pass
	defs     map[*types.Var][]def
	opaque   map[*types.Var]bool // parameters, results, address taken
	visiting map[*types.Var]bool
}

func newValues(pass *analysis.Pass) *values {
	v := &values{pass: pass, defs: map[*types.Var][]def{}, opaque: map[*types.Var]bool{}, visiting: map[*types.Var]bool{}}
	for _, f := range pass.Files {
		ast.Inspect(f, v.collect)
	}
	return v
}

func (v *values) varOf(e ast.Expr) *types.Var {
	e = ast.Unparen(e)
	if ix, ok := e.(*ast.IndexExpr); ok { // an element of a slice or array
		e = ast.Unparen(ix.X)
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil
	}
	obj := v.pass.TypesInfo.Defs[id]
	if obj == nil {
		obj = v.pass.TypesInfo.Uses[id]
	}
	vr, _ := obj.(*types.Var)
	return vr
}

func (v *values) markOpaque(fields *ast.FieldList) {
	if fields == nil {
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			if vr := v.varOf(n); vr != nil {
				v.opaque[vr] = true
			}
		}
	}
}

func (v *values) collect(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncDecl:
		v.markOpaque(n.Recv)
		v.markOpaque(n.Type.Params)
		v.markOpaque(n.Type.Results)
	case *ast.FuncLit:
		v.markOpaque(n.Type.Params)
		v.markOpaque(n.Type.Results)
	case *ast.AssignStmt:
		for i, l := range n.Lhs {
			vr := v.varOf(l)
			if vr == nil {
				continue
			}
			d := def{}
			if len(n.Lhs) == len(n.Rhs) {
				d.e = n.Rhs[i]
			}
			switch n.Tok {
			case token.DEFINE, token.ASSIGN:
			case token.ADD_ASSIGN:
				d.concat = true
			default:
				continue
			}
			v.defs[vr] = append(v.defs[vr], d)
		}
	case *ast.ValueSpec:
		for i, name := range n.Names {
			vr := v.varOf(name)
			if vr == nil {
				continue
			}
			d := def{zero: len(n.Values) == 0}
			if len(n.Values) == len(n.Names) {
				d.e = n.Values[i]
			}
			v.defs[vr] = append(v.defs[vr], d)
		}
	case *ast.RangeStmt:
		for _, e := range []ast.Expr{n.Key, n.Value} {
			if vr := v.varOf(e); vr != nil && e != nil {
				v.defs[vr] = append(v.defs[vr], def{})
			}
		}
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			if vr := v.varOf(n.X); vr != nil {
				v.opaque[vr] = true
			}
		}
	}
	return true
}

// eval says what is known of the string (or slice of strings) e builds.
func (v *values) eval(e ast.Expr) value {
	info := v.pass.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.String {
			return value{kind: constValue, s: constant.StringVal(tv.Value)}
		}
		return value{kind: safeValue}
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return v.eval(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return value{}
		}
		x, y := v.eval(e.X), v.eval(e.Y)
		for _, p := range []struct {
			v value
			e ast.Expr
		}{{x, e.X}, {y, e.Y}} {
			switch p.v.kind {
			case unsafeValue:
				return p.v
			case unknownValue:
				return value{kind: unsafeValue, at: p.e}
			}
		}
		if x.kind == constValue && y.kind == constValue {
			return value{kind: constValue, s: x.s + y.s}
		}
		return value{kind: safeValue}
	case *ast.CompositeLit:
		var elts []ast.Expr
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			elts = append(elts, el)
		}
		return v.worst(elts, false)
	case *ast.CallExpr:
		if tv, ok := info.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
			return v.eval(e.Args[0]) // a conversion
		}
		if id, ok := ast.Unparen(e.Fun).(*ast.Ident); ok {
			if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "append" {
				return v.worst(e.Args, false)
			}
		}
		if builds(fw.Callee(info, e)) {
			return v.worst(e.Args, true)
		}
		return value{}
	case *ast.Ident:
		return v.evalVar(v.varOf(e))
	}
	return value{}
}

// builds reports whether fn builds a string from its arguments:
// fmt.Sprint*, and the functions of package strings.
func builds(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil || fn.Type().(*types.Signature).Recv() != nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "fmt":
		return fn.Name() == "Sprintf" || fn.Name() == "Sprint" || fn.Name() == "Sprintln"
	case "strings":
		res := fn.Type().(*types.Signature).Results()
		return res.Len() == 1 && types.Identical(res.At(0).Type(), types.Typ[types.String])
	}
	return false
}

// worst combines parts: unsafe wins, then unknown (which splices an
// untraced value into the result when splice is set), else safe.
func (v *values) worst(parts []ast.Expr, splice bool) value {
	unknown := false
	var at ast.Node
	for _, p := range parts {
		switch pv := v.eval(p); pv.kind {
		case unsafeValue:
			return pv
		case unknownValue:
			if !unknown {
				unknown, at = true, p
			}
		}
	}
	switch {
	case unknown && splice:
		return value{kind: unsafeValue, at: at}
	case unknown:
		return value{}
	}
	return value{kind: safeValue}
}

func (v *values) evalVar(vr *types.Var) value {
	if vr == nil || vr.IsField() || vr.Pkg() != v.pass.Pkg || v.opaque[vr] {
		return value{}
	}
	defs := v.defs[vr]
	if len(defs) == 0 {
		return value{}
	}
	if v.visiting[vr] {
		return value{kind: safeValue} // neutral: the other assignments decide
	}
	v.visiting[vr] = true
	defer delete(v.visiting, vr)
	if len(defs) == 1 && !defs[0].concat && defs[0].e != nil {
		return v.eval(defs[0].e)
	}
	unknown := false
	for _, d := range defs {
		if d.zero {
			continue
		}
		if d.e == nil {
			unknown = true
			continue
		}
		switch dv := v.eval(d.e); {
		case dv.kind == unsafeValue:
			return dv
		case dv.kind == unknownValue && d.concat:
			return value{kind: unsafeValue, at: d.e}
		case dv.kind == unknownValue:
			unknown = true
		}
	}
	if unknown {
		return value{}
	}
	return value{kind: safeValue}
}
