package errorhandling

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// Analyzer reports module code that breaks the framework's result pattern.
var Analyzer = &analysis.Analyzer{
	Name:      Doc.ID,
	Doc:       Doc.AnalyzerDoc(),
	URL:       Doc.URL(),
	Run:       run,
	FactTypes: []analysis.Fact{new(PlainSentinel), new(Coded)},
	Requires:  []*analysis.Analyzer{fw.Analyzer},
}

// PlainSentinel is the fact of an exported package-level error variable
// of the application made by errors.New or fmt.Errorf: it carries no code.
type PlainSentinel struct {
	Maker string // "errors.New" or "fmt.Errorf"
}

// AFact marks PlainSentinel as an analysis fact.
func (*PlainSentinel) AFact() {}

func (f *PlainSentinel) String() string { return "plain sentinel made by " + f.Maker }

// Coded is the fact of an exported function of the application whose
// error results always carry a code: nil, a *framework.Error, or what
// other such functions return.
type Coded struct {
	// Coded is always true: a fact needs an exported field to be encoded.
	Coded bool
}

// AFact marks Coded as an analysis fact.
func (*Coded) AFact() {}

func (*Coded) String() string { return "returns coded errors" }

var errorType = types.Universe.Lookup("error").Type()

func run(pass *analysis.Pass) (any, error) {
	if !fw.IsApplication(pass) {
		return nil, nil
	}
	e := newErrs(pass)
	_, m := fw.Module(pass)
	if m == nil || !fw.IsModuleRoot(pass, m) {
		// A contract, a sub-package or a helper package: its sentinels and
		// what its functions return reach the module's service methods
		// through facts.
		e.exportFacts()
	}
	if m == nil {
		return nil, nil
	}
	for _, sm := range fw.DeclaredServiceMethods(pass) {
		checkServiceMethod(pass, e, sm)
	}
	for _, h := range handlers(pass) {
		e.checkBoundary(h.name, h.body, h.results, nil)
	}
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				checkExit(pass, n)
			case *ast.ExprStmt:
				checkDiscarded(pass, n.X)
			case *ast.GoStmt:
				checkDiscarded(pass, n.Call)
			case *ast.DeferStmt:
				checkDiscarded(pass, n.Call)
			case *ast.AssignStmt:
				checkAssigned(pass, n.Lhs, n.Rhs)
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				checkAssigned(pass, lhs, n.Values)
			}
			return true
		})
	}
	return nil, nil
}

// checkServiceMethod reports a service method whose last result is not
// error, and the plain errors its returns hand to the caller.
func checkServiceMethod(pass *analysis.Pass, e *errs, sm fw.ServiceMethod) {
	res := sm.Fn.Type().(*types.Signature).Results()
	related := []analysis.RelatedInformation{{
		Pos: sm.Reg.Call.Pos(), End: sm.Reg.Call.Pos(),
		Message: "the service is registered here",
	}}
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), errorType) {
		msg := fmt.Sprintf("exported service method %s returns no error", sm.Fn.Name())
		if res.Len() > 0 {
			msg = fmt.Sprintf("exported service method %s returns %s last, not error",
				sm.Fn.Name(), fw.TypeString(res.At(res.Len()-1).Type(), pass.Pkg))
		}
		pass.Report(analysis.Diagnostic{
			Pos:      sm.Decl.Name.Pos(),
			End:      sm.Decl.Name.End(),
			Category: Doc.ID,
			Message:  msg,
			Related:  related,
		})
		return
	}
	e.checkBoundary("service method "+sm.Fn.Name(), sm.Decl.Body, res.Len(), related)
}

// checkBoundary reports the returns of a function whose error crosses a
// boundary (a service method, an HTTP handler) that hand over an error
// carrying no code: one made there by errors.New or fmt.Errorf (without
// wrapping an error that carries a code), or a plain sentinel.
func (e *errs) checkBoundary(what string, body *ast.BlockStmt, results int, related []analysis.RelatedInformation) {
	pass := e.pass
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its returns go to its own caller
		case *ast.ReturnStmt:
			if len(n.Results) != results {
				return true
			}
			last := ast.Unparen(n.Results[len(n.Results)-1])
			if call, ok := last.(*ast.CallExpr); ok {
				maker := plainError(pass, call)
				if maker == "" || maker == "fmt.Errorf" && e.wrapsCoded(call) {
					return true
				}
				d := analysis.Diagnostic{
					Pos:      call.Pos(),
					End:      call.End(),
					Category: Doc.ID,
					Message:  fmt.Sprintf("%s returns a plain error made by %s", what, maker),
					Related:  related,
				}
				if fix, ok := wrapFix(pass, call); ok {
					d.SuggestedFixes = []analysis.SuggestedFix{fix}
				}
				pass.Report(d)
				return true
			}
			if name, maker := e.sentinel(last); maker != "" {
				pass.Report(analysis.Diagnostic{
					Pos:      last.Pos(),
					End:      last.End(),
					Category: Doc.ID,
					Message:  fmt.Sprintf("%s returns %s, a plain error made by %s", what, name, maker),
					Related:  related,
				})
			}
		}
		return true
	})
}

// plainError returns "errors.New" or "fmt.Errorf" when call makes an
// error that is not a *framework.Error.
func plainError(pass *analysis.Pass, call *ast.CallExpr) string {
	fn := fw.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || fn.Type().(*types.Signature).Recv() != nil || len(call.Args) == 0 {
		return ""
	}
	switch {
	case fn.Pkg().Path() == "errors" && fn.Name() == "New":
		return "errors.New"
	case fn.Pkg().Path() == "fmt" && fn.Name() == "Errorf":
		return "fmt.Errorf"
	}
	return ""
}

// exits are the functions of the standard library that end the process or
// panic, by package path.
var exits = map[string]map[string]bool{
	"log": {"Fatal": true, "Fatalf": true, "Fatalln": true, "Panic": true, "Panicf": true, "Panicln": true},
	"os":  {"Exit": true},
}

// checkExit reports calls of the builtin panic, log.Fatal*, log.Panic*
// (functions and *log.Logger methods) and os.Exit.
func checkExit(pass *analysis.Pass, call *ast.CallExpr) {
	name := ""
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			name = "panic"
		}
	}
	if fn := fw.Callee(pass.TypesInfo, call); fn != nil && fn.Pkg() != nil && exits[fn.Pkg().Path()][fn.Name()] {
		recv := fn.Type().(*types.Signature).Recv()
		switch {
		case recv == nil:
			name = funcName(fn)
		case fn.Pkg().Path() == "log" && isNamed(recv.Type(), "log", "Logger"):
			name = funcName(fn)
		}
	}
	if name == "" {
		return
	}
	pass.Report(analysis.Diagnostic{
		Pos:      call.Pos(),
		End:      call.End(),
		Category: Doc.ID,
		Message:  fmt.Sprintf("call of %s in module code", name),
	})
}

// checkDiscarded reports e when it is a call of a framework function whose
// error result is discarded.
func checkDiscarded(pass *analysis.Pass, e ast.Expr) {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return
	}
	if fn := frameworkErrorCall(pass, call); fn != nil {
		reportDiscarded(pass, call, fn)
	}
}

// checkAssigned reports calls of framework functions whose error result is
// assigned to the blank identifier.
func checkAssigned(pass *analysis.Pass, lhs, rhs []ast.Expr) {
	switch {
	case len(rhs) == 1 && len(lhs) > 1:
		call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr)
		if !ok || !isBlank(lhs[len(lhs)-1]) {
			return
		}
		if fn := frameworkErrorCall(pass, call); fn != nil {
			reportDiscarded(pass, call, fn)
		}
	case len(lhs) == len(rhs):
		for i := range rhs {
			call, ok := ast.Unparen(rhs[i]).(*ast.CallExpr)
			if !ok || !isBlank(lhs[i]) {
				continue
			}
			fn := frameworkErrorCall(pass, call)
			if fn != nil && fn.Type().(*types.Signature).Results().Len() == 1 {
				reportDiscarded(pass, call, fn)
			}
		}
	}
}

func reportDiscarded(pass *analysis.Pass, call *ast.CallExpr, fn *types.Func) {
	pass.Report(analysis.Diagnostic{
		Pos:      call.Pos(),
		End:      call.End(),
		Category: Doc.ID,
		Message:  fmt.Sprintf("error returned by %s is discarded", funcName(fn)),
	})
}

// frameworkErrorCall returns the framework function or method call calls
// when its last result is error.
func frameworkErrorCall(pass *analysis.Pass, call *ast.CallExpr) *types.Func {
	fn := fw.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != fw.Path {
		return nil
	}
	res := fn.Type().(*types.Signature).Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), errorType) {
		return nil
	}
	return fn
}

// funcName names a function as Go documentation does: "os.Exit",
// "(*framework.Setup).Migrate".
func funcName(fn *types.Func) string {
	qual := func(p *types.Package) string { return p.Name() }
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return fn.Pkg().Name() + "." + fn.Name()
	}
	t := types.TypeString(recv.Type(), qual)
	if _, ok := recv.Type().(*types.Pointer); ok {
		t = "(" + t + ")"
	}
	return t + "." + fn.Name()
}

func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

func isBlank(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "_"
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return isTestPos(pass, f.Pos())
}

func isTestPos(pass *analysis.Pass, pos token.Pos) bool {
	return strings.HasSuffix(pass.Fset.File(pos).Name(), "_test.go")
}
