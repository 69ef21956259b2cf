package fw

import (
	"go/ast"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
)

// IsSQLMethod reports whether fn is a method of database/sql's DB, Conn or
// Tx: the handles through which a module that opened its own database
// reads and writes.
func IsSQLMethod(fn *types.Func) bool {
	if fn == nil {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "database/sql" {
		return false
	}
	switch n.Obj().Name() {
	case "DB", "Conn", "Tx":
		return true
	}
	return false
}

// ServiceMethod is an exported method of a registered service, declared in
// a non-test file of the package.
type ServiceMethod struct {
	Fn   *types.Func
	Decl *ast.FuncDecl
	Reg  *Registration // the first registration of its service
}

// DeclaredServiceMethods returns the package's service methods, once each
// even when the implementation is registered twice, in source order.
// Methods of generic implementations are matched through their origin.
func DeclaredServiceMethods(pass *analysis.Pass) []ServiceMethod {
	decls := map[*types.Func]*ast.FuncDecl{}
	for _, f := range pass.Files {
		if IsTestFile(pass, f) {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
			}
		}
	}
	seen := map[*types.Func]bool{}
	var out []ServiceMethod
	for _, reg := range Registrations(pass) {
		for _, fn := range ServiceMethods(reg.Impl) {
			if fd := decls[fn.Origin()]; fd != nil && !seen[fn.Origin()] {
				seen[fn.Origin()] = true
				out = append(out, ServiceMethod{Fn: fn, Decl: fd, Reg: reg})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fn.Pos() < out[j].Fn.Pos() })
	return out
}

// TypeArg returns the index-th type argument of an instantiated call
// (framework.Settings[T](s), framework.GET[Resp](…)), whether written or
// inferred, and the written argument (nil when it is inferred).
func TypeArg(pass *analysis.Pass, call *ast.CallExpr, index int) (types.Type, ast.Expr) {
	fun := call.Fun
	var at ast.Expr
	switch x := ast.Unparen(call.Fun).(type) {
	case *ast.IndexExpr:
		fun = x.X
		if index == 0 {
			at = x.Index
		}
	case *ast.IndexListExpr:
		fun = x.X
		if index < len(x.Indices) {
			at = x.Indices[index]
		}
	}
	var id *ast.Ident
	switch x := ast.Unparen(fun).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	}
	if id == nil {
		return nil, at
	}
	inst, ok := pass.TypesInfo.Instances[id]
	if !ok || index >= inst.TypeArgs.Len() {
		return nil, at
	}
	return inst.TypeArgs.At(index), at
}
