package errorhandling

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// errs knows which errors of a package carry a code: its plain sentinels
// and the functions whose error results always carry one.
type errs struct {
	pass      *analysis.Pass
	sentinels map[*types.Var]string   // package-level error variables made by errors.New or fmt.Errorf
	inits     map[*types.Var]ast.Expr // package-level error variables' initializers
	decls     map[*types.Func]*ast.FuncDecl
	coded     map[*types.Func]bool
	codedDone bool // coded is computed on first use
	visiting  map[*types.Var]bool
}

func newErrs(pass *analysis.Pass) *errs {
	e := &errs{pass: pass, sentinels: map[*types.Var]string{}, inits: map[*types.Var]ast.Expr{}, decls: map[*types.Func]*ast.FuncDecl{},
		coded: map[*types.Func]bool{}, visiting: map[*types.Var]bool{}}
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if fn, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok && d.Body != nil && returnsError(fn) {
					e.decls[fn] = d
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					if len(vs.Values) != len(vs.Names) {
						continue
					}
					for i, name := range vs.Names {
						v, ok := pass.TypesInfo.Defs[name].(*types.Var)
						if !ok || !types.Identical(v.Type(), errorType) && !isErrorPointer(v.Type()) {
							continue
						}
						e.inits[v] = vs.Values[i]
						if call, ok := ast.Unparen(vs.Values[i]).(*ast.CallExpr); ok {
							if maker := plainError(pass, call); maker != "" && !(maker == "fmt.Errorf" && e.wrapsCoded(call)) {
								e.sentinels[v] = maker
							}
						}
					}
				}
			}
		}
	}
	return e
}

// computeCoded finds, once, the functions whose every error result
// carries a code: starting from all of them, it drops those with a return
// that does not, until none is dropped (recursive functions stay coded
// unless another return says otherwise).
func (e *errs) computeCoded() {
	if e.codedDone {
		return
	}
	e.codedDone = true
	for fn := range e.decls {
		e.coded[fn] = true
	}
	for changed := true; changed; {
		changed = false
		for fn := range e.coded {
			if !e.allCoded(e.decls[fn]) {
				delete(e.coded, fn)
				changed = true
			}
		}
	}
}

func returnsError(fn *types.Func) bool {
	res := fn.Type().(*types.Signature).Results()
	return res.Len() > 0 && types.Identical(res.At(res.Len()-1).Type(), errorType)
}

func isErrorPointer(t types.Type) bool { return fw.IsType(t, "Error") }

// exportFacts exports the facts of the package's exported sentinels and
// coded functions.
func (e *errs) exportFacts() {
	for v, maker := range e.sentinels {
		if v.Exported() {
			e.pass.ExportObjectFact(v, &PlainSentinel{Maker: maker})
		}
	}
	e.computeCoded()
	for fn := range e.coded {
		if fn.Exported() {
			e.pass.ExportObjectFact(fn, &Coded{Coded: true})
		}
	}
}

// allCoded reports whether every return of a function hands over an error
// that carries a code.
func (e *errs) allCoded(fd *ast.FuncDecl) bool {
	ok := true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 0 {
				return true // named results: not followed, assumed coded
			}
			if !e.codedExpr(n.Results[len(n.Results)-1], fd) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// codedExpr reports whether an error expression of function fd carries a
// code: nil, a *framework.Error, what framework.Errorf or AsError make,
// what a coded function or a method of an interface (another module's
// service, through its contract) returns, or a local variable assigned
// only such values.
func (e *errs) codedExpr(x ast.Expr, fd *ast.FuncDecl) bool {
	x = ast.Unparen(x)
	info := e.pass.TypesInfo
	if tv, ok := info.Types[x]; ok && tv.IsNil() {
		return true
	}
	if isErrorPointer(info.TypeOf(x)) {
		return true
	}
	switch x := x.(type) {
	case *ast.CallExpr:
		return e.codedCall(x)
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok || v.Pkg() == nil || e.visiting[v] {
			return false
		}
		if v.Parent() == v.Pkg().Scope() { // a package-level variable: by its initializer
			init, ok := e.inits[v]
			if !ok {
				return false
			}
			e.visiting[v] = true
			defer delete(e.visiting, v)
			return e.codedExpr(init, nil)
		}
		if fd == nil {
			return false
		}
		e.visiting[v] = true
		defer delete(e.visiting, v)
		// The last assignment before the use, in the text: err is
		// usually reassigned by the calls that follow (x, err := a();
		// ... y, err := b()), and the one before the use is the one that
		// reaches it in straight-line code.
		var last *ast.AssignStmt
		lastIndex := 0
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || as.End() > x.Pos() {
				return true
			}
			for i, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && info.ObjectOf(id) == v && (last == nil || as.Pos() > last.Pos()) {
					last, lastIndex = as, i
				}
			}
			return true
		})
		switch {
		case last == nil:
			return false
		case len(last.Rhs) == len(last.Lhs):
			return e.codedExpr(last.Rhs[lastIndex], fd)
		case len(last.Rhs) == 1:
			call, ok := ast.Unparen(last.Rhs[0]).(*ast.CallExpr)
			return ok && lastIndex == len(last.Lhs)-1 && e.codedCall(call)
		}
		return false
	}
	return false
}

// codedCall reports whether the error a call returns carries a code.
func (e *errs) codedCall(call *ast.CallExpr) bool {
	fn := fw.Callee(e.pass.TypesInfo, call)
	if fn == nil {
		return false
	}
	if fw.IsFunc(fn, "Errorf") || fw.IsFunc(fn, "AsError") {
		return true
	}
	if fn.Pkg() == e.pass.Pkg {
		e.computeCoded() // while it runs, coded is the fixpoint's current guess
		if e.coded[fn] {
			return true
		}
	}
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil && types.IsInterface(recv.Type()) {
		return true // another module's service, by its contract
	}
	if fn.Pkg() != nil && fn.Pkg() != e.pass.Pkg {
		var c Coded
		return e.pass.ImportObjectFact(fn, &c)
	}
	return false
}

// wrapsCoded reports whether a fmt.Errorf call wraps (%w) an error that
// carries a code: errors.As finds the code through the wrapping.
func (e *errs) wrapsCoded(call *ast.CallExpr) bool {
	if len(call.Args) < 2 {
		return false
	}
	fd := e.enclosing(call)
	var wrapped []ast.Expr
	if f, ok := fw.StringValue(e.pass.TypesInfo, call.Args[0]); ok {
		for _, i := range wrapVerbs(f) {
			if i < 0 {
				wrapped = call.Args[1:] // explicit argument indexes: any of them
				break
			}
			if 1+i < len(call.Args) {
				wrapped = append(wrapped, call.Args[1+i])
			}
		}
	} else {
		wrapped = call.Args[1:]
	}
	for _, a := range wrapped {
		if e.codedExpr(a, fd) {
			return true
		}
	}
	return false
}

// wrapVerbs returns the argument index of each %w verb of a format, or a
// single -1 when the format uses explicit argument indexes.
func wrapVerbs(format string) []int {
	var out []int
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) && strings.IndexByte("+-# 0123456789.*[]", format[i]) >= 0 {
			if format[i] == '[' {
				return []int{-1}
			}
			if format[i] == '*' {
				arg++
			}
			i++
		}
		if i < len(format) {
			if format[i] == 'w' {
				out = append(out, arg)
			}
			arg++
		}
	}
	return out
}

// enclosing is the function declaration holding n, or nil.
func (e *errs) enclosing(n ast.Node) *ast.FuncDecl {
	for _, f := range e.pass.Files {
		if n.Pos() < f.FileStart || n.Pos() > f.FileEnd {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && fd.Pos() <= n.Pos() && n.End() <= fd.End() {
				return fd
			}
		}
	}
	return nil
}

// sentinel returns how a returned expression is written and what made it
// when it is a plain sentinel: a package-level variable of this package,
// or of another package of the application (by its fact), made by
// errors.New or fmt.Errorf.
func (e *errs) sentinel(x ast.Expr) (string, string) {
	var id *ast.Ident
	switch x := x.(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	default:
		return "", ""
	}
	v, ok := e.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return "", ""
	}
	maker := e.sentinels[v]
	if v.Pkg() != e.pass.Pkg {
		var f PlainSentinel
		if e.pass.ImportObjectFact(v, &f) {
			maker = f.Maker
		}
	}
	if maker == "" {
		return "", ""
	}
	var b bytes.Buffer
	if err := format.Node(&b, e.pass.Fset, x); err != nil {
		return id.Name, maker
	}
	return b.String(), maker
}

// handler is an HTTP handler of the module: its error crosses the HTTP
// boundary.
type handler struct {
	name    string
	body    *ast.BlockStmt
	results int
}

// handlers finds the functions given to framework.GET, POST, PUT and
// DELETE: function literals, and functions and methods of the package.
func handlers(pass *analysis.Pass) []handler {
	var out []handler
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			fn := fw.Callee(pass.TypesInfo, call)
			method := ""
			for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
				if fw.IsFunc(fn, m) {
					method = m
				}
			}
			if method == "" {
				return true
			}
			path, _ := fw.StringValue(pass.TypesInfo, call.Args[0])
			name := "handler " + method + " " + path
			sig, ok := pass.TypesInfo.TypeOf(call.Args[1]).(*types.Signature)
			if !ok {
				return true
			}
			switch h := ast.Unparen(call.Args[1]).(type) {
			case *ast.FuncLit:
				out = append(out, handler{name, h.Body, sig.Results().Len()})
			case *ast.Ident, *ast.SelectorExpr:
				if fd := declOf(pass, h); fd != nil {
					out = append(out, handler{name, fd.Body, sig.Results().Len()})
				}
			}
			return true
		})
	}
	return out
}

// declOf is the declaration, in the package, of the function or method a
// function value names.
func declOf(pass *analysis.Pass, e ast.Expr) *ast.FuncDecl {
	var fn *types.Func
	switch e := e.(type) {
	case *ast.Ident:
		fn, _ = pass.TypesInfo.Uses[e].(*types.Func)
	case *ast.SelectorExpr:
		if sel, ok := pass.TypesInfo.Selections[e]; ok {
			fn, _ = sel.Obj().(*types.Func)
		} else {
			fn, _ = pass.TypesInfo.Uses[e.Sel].(*types.Func)
		}
	}
	if fn == nil || fn.Pkg() != pass.Pkg {
		return nil
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && pass.TypesInfo.Defs[fd.Name] == fn.Origin() && fd.Body != nil {
				return fd
			}
		}
	}
	return nil
}
