// Package fw recognises the framework's constructs in type-checked code: the
// module a package belongs to, its Setup and Start methods, service
// registrations with their ServiceMethod entries, and calls of framework
// functions and methods. Every rule builds on it so that they agree on what
// a registration or a phase is.
package fw

import (
	"go/ast"
	"go/build"
	"go/constant"
	"go/types"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/modls/modls/workspace"
)

// Path is the framework's import path.
const Path = "github.com/modls/modls/framework"

// Analyzer reads, once per package, what most rules read of it: the
// workspace module it belongs to and its service registrations (see Module
// and Registrations). A rule that requires it shares that reading with the
// others; one that does not still gets the same answers, read again. It
// reports nothing.
var Analyzer = &analysis.Analyzer{
	Name:       "modlsframework",
	Doc:        "reads the package's workspace module and service registrations once for the rules that require it",
	Run:        runShared,
	ResultType: reflect.TypeOf((*Shared)(nil)),
}

// Shared is Analyzer's result: the reading the rules share.
type Shared struct {
	w *workspace.Workspace
	m *workspace.Module

	regsOnce sync.Once
	regs     []*Registration
}

func runShared(pass *analysis.Pass) (any, error) {
	s := &Shared{}
	s.w, s.m = readModule(pass)
	return s, nil
}

// shared is the pass's Shared, or nil when its analyzer does not require
// Analyzer.
func shared(pass *analysis.Pass) *Shared {
	s, _ := pass.ResultOf[Analyzer].(*Shared)
	return s
}

// Module returns the workspace module the pass's package belongs to, or nil
// when the package is not module code (the framework, main, the standard
// library, anything outside modules/<type>/<name>/).
func Module(pass *analysis.Pass) (*workspace.Workspace, *workspace.Module) {
	if s := shared(pass); s != nil {
		return s.w, s.m
	}
	return readModule(pass)
}

func readModule(pass *analysis.Pass) (*workspace.Workspace, *workspace.Module) {
	for _, f := range pass.Files {
		name := pass.Fset.File(f.FileStart).Name()
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		w, m, err := workspace.ModuleIn(pass.Fset, name)
		if err != nil {
			return nil, nil
		}
		return w, m
	}
	return nil, nil
}

// IsApplication reports whether the pass's package is the application's
// own code, which may have analysis facts: not the framework, the standard
// library, a module of the module cache or a vendored package.
func IsApplication(pass *analysis.Pass) bool {
	path := pass.Pkg.Path()
	if path == Path || strings.HasPrefix(path, Path+"/") || len(pass.Files) == 0 {
		return false
	}
	name := filepath.ToSlash(pass.Fset.File(pass.Files[0].FileStart).Name())
	if root := filepath.ToSlash(build.Default.GOROOT); root != "" && strings.HasPrefix(name, root+"/") {
		return false
	}
	for _, elem := range strings.Split(name, "/") {
		if elem == "vendor" {
			return false
		}
		if i := strings.Index(elem, "@v"); i >= 0 && i+2 < len(elem) && elem[i+2] >= '0' && elem[i+2] <= '9' {
			return false // the module cache
		}
	}
	return true
}

// IsModuleRoot reports whether the package is the module's own package (in
// the module directory), not a sub-package such as contract/.
func IsModuleRoot(pass *analysis.Pass, m *workspace.Module) bool {
	for _, f := range pass.Files {
		name := pass.Fset.File(f.FileStart).Name()
		return dirOf(name) == m.Dir
	}
	return false
}

func dirOf(name string) string {
	i := strings.LastIndexAny(name, `/\`)
	if i < 0 {
		return "."
	}
	return name[:i]
}

// Callee returns the function or method a call statically calls (the
// generic origin for an instantiated call), or nil.
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

// IsFunc reports whether fn is the framework's package-level function name.
func IsFunc(fn *types.Func, name string) bool {
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == Path && fn.Name() == name &&
		fn.Type().(*types.Signature).Recv() == nil
}

// IsMethod reports whether fn is the method method of the framework type
// typeName (through a pointer or not).
func IsMethod(fn *types.Func, typeName, method string) bool {
	if fn == nil || fn.Name() != method {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	return recv != nil && IsType(recv.Type(), typeName)
}

// IsType reports whether t is the framework's named type name or a pointer
// to it.
func IsType(t types.Type, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Origin().Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == Path && obj.Name() == name
}

// PhaseFuncs returns the package's Setup and Start methods: methods named
// Setup taking a *framework.Setup and methods named Start taking a
// context and a *framework.App.
func PhaseFuncs(pass *analysis.Pass) (setup, start []*ast.FuncDecl) {
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Body == nil {
				continue
			}
			obj, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if obj == nil {
				continue
			}
			params := obj.Type().(*types.Signature).Params()
			switch {
			case fd.Name.Name == "Setup" && params.Len() == 1 && IsType(params.At(0).Type(), "Setup"):
				setup = append(setup, fd)
			case fd.Name.Name == "Start" && params.Len() == 2 && IsType(params.At(1).Type(), "App"):
				start = append(start, fd)
			}
		}
	}
	return setup, start
}

// StringValue returns the constant string value of e, if it has one.
func StringValue(info *types.Info, e ast.Expr) (string, bool) {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}

// IsTestFile reports whether f is a _test.go file.
func IsTestFile(pass *analysis.Pass, f *ast.File) bool {
	return strings.HasSuffix(pass.Fset.File(f.FileStart).Name(), "_test.go")
}
