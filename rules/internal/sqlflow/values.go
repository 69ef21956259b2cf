package sqlflow

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

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
	// shapedValue: built from constants only, some of them repeated an
	// unknown number of times ("IN (" + strings.Repeat("?, ", n-1) +
	// "?)"); s is a representative expansion.
	shapedValue
	// safeValue: built from constants only, in more than one way.
	safeValue
	// unsafeValue: a non-constant value is spliced in.
	unsafeValue
)

type value struct {
	kind valueKind
	s    string   // constValue: the string; shapedValue: a representative
	at   ast.Node // unsafeValue: the non-constant part
	// elems are the elements of a []string value (constValue: all of
	// them; shapedValue: representatives).
	elems []string
}

// def is one assignment to a variable: e is the value assigned (nil for a
// zero value or an untraceable one), concat marks +=, elem an assignment
// to an element (s[i] = e).
type def struct {
	e      ast.Expr
	concat bool
	zero   bool
	elem   bool
}

// values traces the strings held by the package's variables through their
// assignments, flow-insensitively: a variable is as unsafe as the worst
// value ever assigned to it.
type values struct {
	pass     *analysis.Pass
	defs     map[*types.Var][]def
	opaque   map[*types.Var]bool // parameters, results, address taken
	visiting map[*types.Var]bool
	// funcs are the package's functions returning one string, and
	// results what is known of what each returns.
	funcs    map[*types.Func]*ast.FuncDecl
	results  map[*types.Func]*value
	inResult map[*types.Func]bool
}

func newValues(pass *analysis.Pass) *values {
	v := &values{pass: pass, defs: map[*types.Var][]def{}, opaque: map[*types.Var]bool{}, visiting: map[*types.Var]bool{},
		funcs: map[*types.Func]*ast.FuncDecl{}, results: map[*types.Func]*value{}, inResult: map[*types.Func]bool{}}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			if res := fn.Type().(*types.Signature).Results(); res.Len() == 1 && isStringish(res.At(0).Type()) {
				v.funcs[fn] = fd
			}
		}
	}
	for _, f := range pass.Files {
		ast.Inspect(f, v.collect)
	}
	return v
}

func (v *values) varOf(e ast.Expr) (*types.Var, bool) {
	e = ast.Unparen(e)
	elem := false
	if ix, ok := e.(*ast.IndexExpr); ok { // an element of a slice or array
		e = ast.Unparen(ix.X)
		elem = true
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil, false
	}
	obj := v.pass.TypesInfo.Defs[id]
	if obj == nil {
		obj = v.pass.TypesInfo.Uses[id]
	}
	vr, _ := obj.(*types.Var)
	return vr, elem
}

func (v *values) markOpaque(fields *ast.FieldList) {
	if fields == nil {
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			if vr, _ := v.varOf(n); vr != nil {
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
			vr, elem := v.varOf(l)
			if vr == nil {
				continue
			}
			d := def{elem: elem}
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
			vr, _ := v.varOf(name)
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
			if vr, _ := v.varOf(e); vr != nil && e != nil {
				v.defs[vr] = append(v.defs[vr], def{})
			}
		}
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			if vr, _ := v.varOf(n.X); vr != nil {
				v.opaque[vr] = true
			}
		}
	}
	return true
}

// representative is the number of times a part repeated an unknown number
// of times appears in a representative expansion.
const representative = 2

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
		return join(x, y, x.s+y.s)
	case *ast.CompositeLit:
		var elts []ast.Expr
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			elts = append(elts, el)
		}
		return v.slice(elts, true)
	case *ast.CallExpr:
		return v.call(e)
	case *ast.Ident:
		vr, _ := v.varOf(e)
		return v.evalVar(vr)
	}
	return value{}
}

// join combines two traced parts into one whose text is s.
func join(x, y value, s string) value {
	switch {
	case x.kind == constValue && y.kind == constValue:
		return value{kind: constValue, s: s}
	case x.kind == safeValue || y.kind == safeValue:
		return value{kind: safeValue}
	}
	return value{kind: shapedValue, s: s}
}

// slice combines the elements of a []string; exact is set when they are
// all of its elements.
func (v *values) slice(elts []ast.Expr, exact bool) value {
	out := value{kind: constValue}
	if !exact {
		out.kind = shapedValue
	}
	for _, el := range elts {
		ev := v.eval(el)
		switch ev.kind {
		case unsafeValue:
			return ev
		case unknownValue:
			return value{kind: unsafeValue, at: el}
		case safeValue:
			out.kind = safeValue
		case shapedValue:
			if out.kind == constValue {
				out.kind = shapedValue
			}
			out.elems = append(out.elems, ev.s)
		case constValue:
			if len(ev.elems) > 0 {
				out.elems = append(out.elems, ev.elems...)
			} else {
				out.elems = append(out.elems, ev.s)
			}
		}
	}
	return out
}

func (v *values) call(e *ast.CallExpr) value {
	info := v.pass.TypesInfo
	if tv, ok := info.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
		return v.eval(e.Args[0]) // a conversion
	}
	if id, ok := ast.Unparen(e.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "append":
				base := v.eval(e.Args[0])
				rest := v.slice(e.Args[1:], false)
				if e.Ellipsis.IsValid() && len(e.Args) == 2 {
					rest = v.eval(e.Args[1])
				}
				return v.appendTo(base, rest)
			case "make":
				return value{kind: shapedValue} // zero strings: neutral
			}
			return value{}
		}
	}
	fn := fw.Callee(info, e)
	if fn == nil || fn.Pkg() == nil {
		return value{}
	}
	if r := v.result(fn); r != nil {
		return *r
	}
	if fn.Type().(*types.Signature).Recv() != nil {
		return value{}
	}
	switch fn.Pkg().Path() {
	case "strings":
		return v.stringsCall(fn.Name(), e)
	case "fmt":
		if fn.Name() == "Sprintf" || fn.Name() == "Sprint" || fn.Name() == "Sprintln" {
			return v.sprint(fn.Name(), e)
		}
	}
	return value{}
}

// result is what is known of the string a function of the application
// returns, when it is built from constants only, whatever its arguments
// (a placeholders helper): from the package's own functions, or from the
// ShapedResult fact of another package's.
func (v *values) result(fn *types.Func) *value {
	fn = fn.Origin()
	if fn.Pkg() != v.pass.Pkg {
		var s ShapedResult
		if !v.pass.ImportObjectFact(fn, &s) {
			return nil
		}
		kind := shapedValue
		if s.Exact {
			kind = constValue
		}
		return &value{kind: kind, s: s.Rep}
	}
	if r, ok := v.results[fn]; ok {
		return r
	}
	fd := v.funcs[fn]
	if fd == nil || v.inResult[fn] {
		return nil
	}
	v.inResult[fn] = true
	defer delete(v.inResult, fn)
	var out *value
	ok := true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) != 1 {
				ok = false
				return false
			}
			r := v.eval(n.Results[0])
			switch r.kind {
			case constValue, shapedValue:
			default:
				ok = false
				return false
			}
			switch {
			case out == nil:
				out = &r
			case out.kind == constValue && r.kind == constValue && out.s == r.s:
			default:
				// Several ways: the longest stands for them (the general
				// case, "?,?" rather than "").
				if len(r.s) > len(out.s) {
					out.s = r.s
				}
				out.kind = shapedValue
			}
		}
		return ok
	})
	if !ok || out == nil {
		out = nil
	}
	v.results[fn] = out
	return out
}

// appendTo is append(base, rest...).
func (v *values) appendTo(base, rest value) value {
	for _, p := range []value{base, rest} {
		if p.kind == unsafeValue || p.kind == unknownValue {
			return p
		}
	}
	if base.kind == safeValue || rest.kind == safeValue {
		return value{kind: safeValue}
	}
	return value{kind: shapedValue, elems: append(append([]string(nil), base.elems...), rest.elems...)}
}

// spliced evaluates the arguments of a function that builds a string:
// those of type string or []string become part of it; the others (a
// count, a flag) do not.
func (v *values) spliced(e *ast.CallExpr) ([]value, value, bool) {
	var out []value
	for _, a := range e.Args {
		t := v.pass.TypesInfo.TypeOf(a)
		if !isStringish(t) {
			out = append(out, value{kind: constValue})
			continue
		}
		av := v.eval(a)
		switch av.kind {
		case unsafeValue:
			return nil, av, false
		case unknownValue:
			return nil, value{kind: unsafeValue, at: a}, false
		}
		out = append(out, av)
	}
	return out, value{}, true
}

func isStringish(t types.Type) bool {
	if t == nil {
		return false
	}
	if s, ok := t.Underlying().(*types.Slice); ok {
		t = s.Elem()
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// stringsCall is a function of package strings that returns a string.
func (v *values) stringsCall(name string, e *ast.CallExpr) value {
	res := v.pass.TypesInfo.TypeOf(e)
	if !isStringish(res) {
		return value{}
	}
	args, bad, ok := v.spliced(e)
	if !ok {
		return bad
	}
	kind := constValue
	for _, a := range args {
		switch a.kind {
		case safeValue:
			return value{kind: safeValue}
		case shapedValue:
			kind = shapedValue
		}
	}
	str := func(i int) string { return args[i].s }
	count := func(i int) (int, bool) {
		tv := v.pass.TypesInfo.Types[e.Args[i]]
		if tv.Value == nil {
			return representative, false
		}
		n, ok := constant.Int64Val(tv.Value)
		return int(n), ok && n >= 0 && n < 1<<16
	}
	var s string
	switch name {
	case "Repeat":
		n, exact := count(1)
		if !exact {
			kind = shapedValue
		}
		s = strings.Repeat(str(0), n)
	case "Join":
		elems := args[0].elems
		if args[0].kind != constValue {
			var rep []string
			for i := 0; i < representative; i++ {
				rep = append(rep, elems...)
			}
			elems = rep
		}
		s = strings.Join(elems, str(1))
	case "TrimSuffix":
		s = strings.TrimSuffix(str(0), str(1))
	case "TrimPrefix":
		s = strings.TrimPrefix(str(0), str(1))
	case "TrimRight":
		s = strings.TrimRight(str(0), str(1))
	case "TrimLeft":
		s = strings.TrimLeft(str(0), str(1))
	case "Trim":
		s = strings.Trim(str(0), str(1))
	case "TrimSpace":
		s = strings.TrimSpace(str(0))
	case "ToUpper":
		s = strings.ToUpper(str(0))
	case "ToLower":
		s = strings.ToLower(str(0))
	case "ReplaceAll":
		s = strings.ReplaceAll(str(0), str(1), str(2))
	case "Replace":
		n, _ := count(3)
		if tv := v.pass.TypesInfo.Types[e.Args[3]]; tv.Value == nil {
			n = -1
		}
		s = strings.Replace(str(0), str(1), str(2), n)
	default:
		return value{kind: safeValue}
	}
	return value{kind: kind, s: s}
}

// sprint is fmt.Sprintf, Sprint or Sprintln: every argument is part of the
// result, whatever its type.
func (v *values) sprint(name string, e *ast.CallExpr) value {
	if e.Ellipsis.IsValid() {
		return v.worst(e.Args)
	}
	kind := constValue
	var reps []any
	for _, a := range e.Args {
		tv := v.pass.TypesInfo.Types[a]
		if tv.Value != nil {
			reps = append(reps, constantAny(tv.Value))
			continue
		}
		av := v.eval(a)
		switch av.kind {
		case unsafeValue:
			return av
		case unknownValue:
			return value{kind: unsafeValue, at: a}
		case safeValue:
			kind = safeValue
		case shapedValue:
			if kind == constValue {
				kind = shapedValue
			}
		}
		reps = append(reps, av.s)
	}
	if kind == safeValue {
		return value{kind: safeValue}
	}
	var s string
	switch name {
	case "Sprintf":
		if len(reps) == 0 {
			return value{}
		}
		format, ok := reps[0].(string)
		if !ok {
			return value{kind: safeValue}
		}
		s = fmt.Sprintf(format, reps[1:]...)
	case "Sprint":
		s = fmt.Sprint(reps...)
	default:
		s = fmt.Sprintln(reps...)
	}
	return value{kind: kind, s: s}
}

func constantAny(c constant.Value) any {
	switch c.Kind() {
	case constant.String:
		return constant.StringVal(c)
	case constant.Int:
		if n, ok := constant.Int64Val(c); ok {
			return n
		}
	case constant.Float:
		f, _ := constant.Float64Val(c)
		return f
	case constant.Bool:
		return constant.BoolVal(c)
	}
	return c.ExactString()
}

// worst combines parts whose text is not traced: unsafe wins, then an
// unknown part, which is spliced in; else the result is safe.
func (v *values) worst(parts []ast.Expr) value {
	for _, p := range parts {
		switch pv := v.eval(p); pv.kind {
		case unsafeValue:
			return pv
		case unknownValue:
			return value{kind: unsafeValue, at: p}
		}
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
		return value{kind: shapedValue} // neutral: the other assignments decide
	}
	v.visiting[vr] = true
	defer delete(v.visiting, vr)
	if len(defs) == 1 && !defs[0].concat && !defs[0].elem && defs[0].e != nil {
		return v.eval(defs[0].e)
	}
	// Several assignments: a base value followed by appended parts (q :=
	// "SELECT ..."; if x { q += " WHERE ..." }) has a representative, all
	// parts in source order; elements assigned one by one are a slice's
	// representatives; anything else is safe at best.
	unknown := false
	bases := 0
	out := value{kind: shapedValue}
	for _, d := range defs {
		if d.zero {
			continue
		}
		if d.e == nil {
			unknown = true
			continue
		}
		dv := v.eval(d.e)
		switch {
		case dv.kind == unsafeValue:
			return dv
		case dv.kind == unknownValue && (d.concat || d.elem):
			return value{kind: unsafeValue, at: d.e}
		case dv.kind == unknownValue:
			unknown = true
			continue
		case dv.kind == safeValue:
			out.kind = safeValue
		}
		switch {
		case d.elem:
			out.elems = append(out.elems, dv.s)
		case d.concat:
			out.s += dv.s
		default:
			bases++
			out.s = dv.s + out.s
			out.elems = append(dv.elems, out.elems...)
		}
	}
	if unknown {
		return value{}
	}
	if bases > 1 {
		return value{kind: safeValue}
	}
	return out
}
