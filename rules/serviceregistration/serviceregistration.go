package serviceregistration

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/modls/modls/framework"
	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/ruledoc"
	"github.com/modls/modls/workspace"
)

// Analyzer reports service registrations that the framework refuses at boot
// and modules that register no service.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

// serviceRE is the part of a service name after the module's short name;
// the framework's checkServiceName uses the same definition.
var serviceRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	regs := fw.Registrations(pass) // registrations in tests are left out
	if fw.IsModuleRoot(pass, m) {
		checkRegistersSomething(pass, m, regs)
	}
	for _, r := range regs {
		checkEntries(pass, r)
		if r.NameOK {
			checkName(pass, m, r)
			checkDuplicates(pass, m, r, regs)
		} else if !isParam(pass, r.Call.Args[0]) {
			arg := r.Call.Args[0]
			pass.Report(analysis.Diagnostic{
				Pos: arg.Pos(), End: arg.End(), Category: ruledoc.Category(Doc.ID, ruledoc.Info),
				Message: "service name is not a constant: modls cannot check its form, that it is unique, or who looks it up",
			})
		}
	}
	return nil, nil
}

// isParam reports whether e is a parameter of a function: a helper that
// registers a service for its callers, who name it.
func isParam(pass *analysis.Pass, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := pass.TypesInfo.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	param := false
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			var ft *ast.FuncType
			switch n := n.(type) {
			case *ast.FuncDecl:
				ft = n.Type
			case *ast.FuncLit:
				ft = n.Type
			default:
				return !param
			}
			for _, fld := range ft.Params.List {
				for _, name := range fld.Names {
					if pass.TypesInfo.Defs[name] == v {
						param = true
					}
				}
			}
			return !param
		})
	}
	return param
}

func isTestFile(name string) bool { return strings.HasSuffix(name, "_test.go") }

func report(pass *analysis.Pass, node ast.Node, related []analysis.RelatedInformation, format string, args ...any) {
	pass.Report(analysis.Diagnostic{
		Pos:      node.Pos(),
		End:      node.End(),
		Category: Doc.ID,
		Message:  fmt.Sprintf(format, args...),
		Related:  related,
	})
}

// checkRegistersSomething reports a module whose Setup registers no
// service: nothing in the module's Go files (its sub-packages included)
// calls RegisterService, and Setup hands its *framework.Setup to no code
// outside the module that might.
func checkRegistersSomething(pass *analysis.Pass, m *workspace.Module, regs []*fw.Registration) {
	setups, _ := fw.PhaseFuncs(pass)
	var setup *ast.FuncDecl
	for _, fd := range setups {
		if isTestFile(pass.Fset.File(fd.Pos()).Name()) {
			continue
		}
		if setup == nil || (!hasStart(pass, setup) && hasStart(pass, fd)) {
			setup = fd
		}
	}
	if setup == nil || len(regs) > 0 {
		return
	}
	for _, c := range m.Registrations {
		if !isTestFile(c.Pos.Filename) {
			return
		}
	}
	if callsRegisterService(pass, m) || setupEscapes(pass, m, setup) {
		return
	}
	report(pass, setup.Name, nil, "module %s registers no service", m.Name())
}

// hasStart reports whether the receiver type of a Setup method also has a
// Start method: the type that implements framework.Module.
func hasStart(pass *analysis.Pass, fd *ast.FuncDecl) bool {
	fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
	if fn == nil {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv().Type()
	obj, _, _ := types.LookupFieldOrMethod(recv, true, pass.Pkg, "Start")
	_, ok := obj.(*types.Func)
	return ok
}

// callsRegisterService reports whether any non-test Go file of the module
// calls a method named RegisterService, whatever its arguments: the
// workspace model records only registrations with a constant name.
func callsRegisterService(pass *analysis.Pass, m *workspace.Module) bool {
	parsed := map[string]*ast.File{}
	for _, f := range pass.Files {
		parsed[filepath.Clean(pass.Fset.File(f.Pos()).Name())] = f
	}
	for _, name := range m.Files {
		if isTestFile(name) {
			continue
		}
		if f := parsed[filepath.Clean(name)]; f != nil {
			if registers(f, nil) {
				return true
			}
		} else if yes, err := registering.Of(pass, name); err == nil && yes {
			return true
		}
	}
	return false
}

// registering holds whether each file outside a pass calls RegisterService.
var registering = fw.NewSummaries(registers)

// registers reports whether the file calls a method named RegisterService.
func registers(f *ast.File, _ error) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "RegisterService" {
				found = true
			}
		}
		return !found
	})
	return found
}

// setupEscapes reports whether the Setup method passes a *framework.Setup
// to code that the module's files do not hold (another Go package, an
// interface method, a function value), which might register services on
// the module's behalf.
func setupEscapes(pass *analysis.Pass, m *workspace.Module, setup *ast.FuncDecl) bool {
	escapes := false
	ast.Inspect(setup.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || escapes {
			return !escapes
		}
		passesSetup := false
		for _, a := range call.Args {
			if fw.IsType(pass.TypesInfo.TypeOf(a), "Setup") {
				passesSetup = true
			}
		}
		if !passesSetup {
			return true
		}
		fn := fw.Callee(pass.TypesInfo, call)
		switch {
		case fn == nil || fn.Pkg() == nil:
			escapes = true
		case fn.Pkg().Path() == fw.Path:
		case fn.Type().(*types.Signature).Recv() != nil && types.IsInterface(fn.Type().(*types.Signature).Recv().Type()):
			escapes = true
		case fn.Pkg().Path() != m.ImportPath && !strings.HasPrefix(fn.Pkg().Path(), m.ImportPath+"/"):
			escapes = true
		}
		return !escapes
	})
	return escapes
}

// checkEntries reports a registration that documents no method: the
// framework refuses it.
func checkEntries(pass *analysis.Pass, r *fw.Registration) {
	call := r.Call
	empty := len(call.Args) == 2 && !call.Ellipsis.IsValid()
	if call.Ellipsis.IsValid() && len(call.Args) == 3 {
		switch last := ast.Unparen(call.Args[2]).(type) {
		case *ast.CompositeLit:
			empty = len(last.Elts) == 0
		case *ast.Ident:
			empty = pass.TypesInfo.Types[last].IsNil()
		}
	}
	if !empty {
		return
	}
	if r.NameOK {
		report(pass, call, nil, "service %s is registered without ServiceMethod entries", r.Name)
	} else {
		report(pass, call, nil, "service is registered without ServiceMethod entries")
	}
}

// checkName reports a constant service name that the framework refuses:
// not "<module short name>.<name>".
func checkName(pass *analysis.Pass, m *workspace.Module, r *fw.Registration) {
	module := m.Name()
	if !framework.ValidModuleName(module) {
		return // the manifest's problem, reported by the manifest rule
	}
	prefix := framework.ShortName(module) + "."
	rest, ok := strings.CutPrefix(r.Name, prefix)
	switch {
	case ok && serviceRE.MatchString(rest):
		return
	case r.Name == "":
		report(pass, r.Call.Args[0], nil, "service name is empty; want the form %s<name>", prefix)
	case ok:
		report(pass, r.Call.Args[0], nil, "service name %s is not of the form %s<name>: <name> is lowercase letters, digits and _, starting with a letter", r.Name, prefix)
	default:
		report(pass, r.Call.Args[0], nil, "service name %s is not of the form %s<name>", r.Name, prefix)
	}
}

// checkDuplicates reports a name that a core module provides, that another
// module of the application registers, or that this package registers
// twice in one function on paths that can both run.
func checkDuplicates(pass *analysis.Pass, m *workspace.Module, r *fw.Registration, regs []*fw.Registration) {
	nameArg := r.Call.Args[0]
	if core, ok := workspace.CoreServices[r.Name]; ok {
		report(pass, nameArg, nil, "service %s is also registered by %s", r.Name, core)
		return
	}
	for _, o := range regs {
		if o == r || !o.NameOK || o.Name != r.Name || !sameFunc(pass, r.Call, o.Call) || exclusive(pass, r.Call, o.Call) {
			continue
		}
		report(pass, nameArg, []analysis.RelatedInformation{{
			Pos: o.Call.Args[0].Pos(), End: o.Call.Args[0].End(),
			Message: "the other registration",
		}}, "service %s is registered twice in module %s", r.Name, m.Name())
		return
	}
	if m.App == nil {
		return
	}
	var others []string
	var related []analysis.RelatedInformation
	for _, other := range m.App.Modules {
		if other == m {
			continue
		}
		found := false
		for _, c := range other.Registrations {
			if c.Service != r.Name || isTestFile(c.Pos.Filename) {
				continue
			}
			if pos := positionIn(pass, c.Pos); pos.IsValid() {
				related = append(related, analysis.RelatedInformation{
					Pos: pos, End: pos,
					Message: fmt.Sprintf("%s registers %s here", other.Name(), r.Name),
				})
			}
			found = true
		}
		if found {
			others = append(others, other.Name())
		}
	}
	if len(others) > 0 {
		report(pass, nameArg, related, "service %s is also registered by %s", r.Name, strings.Join(others, ", "))
	}
}

// positionIn returns a token.Pos in the pass's FileSet for a position the
// workspace model found in another module's file (in the text the model
// read: the editor's buffer when there is one).
func positionIn(pass *analysis.Pass, p token.Position) token.Pos {
	return fw.PositionOf(pass, p.Filename, p.Offset)
}

// enclosing returns the path from the file's root to the node (outermost
// first).
func enclosing(pass *analysis.Pass, n ast.Node) []ast.Node {
	for _, f := range pass.Files {
		if f.FileStart <= n.Pos() && n.End() <= f.FileEnd {
			path, _ := astutil.PathEnclosingInterval(f, n.Pos(), n.End())
			for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
				path[i], path[j] = path[j], path[i]
			}
			return path
		}
	}
	return nil
}

// sameFunc reports whether two calls are in the same top-level function:
// registrations in different functions may be alternatives that Setup
// chooses between, which is beyond a syntactic check.
func sameFunc(pass *analysis.Pass, a, b ast.Node) bool {
	pa, pb := enclosing(pass, a), enclosing(pass, b)
	if len(pa) < 2 || len(pb) < 2 || pa[0] != pb[0] {
		return false
	}
	fa, ok := pa[1].(*ast.FuncDecl)
	return ok && pa[1] == pb[1] && fa.Body != nil
}

// exclusive reports whether two calls of one function cannot both run:
// they are in different branches of an if or a switch, or the earlier one
// is in a block that ends by returning before the later one is reached.
func exclusive(pass *analysis.Pass, a, b ast.Node) bool {
	if b.Pos() < a.Pos() {
		a, b = b, a
	}
	pa, pb := enclosing(pass, a), enclosing(pass, b)
	i := 0
	for i < len(pa) && i < len(pb) && pa[i] == pb[i] {
		i++
	}
	if i == 0 || i >= len(pa) || i >= len(pb) {
		return false
	}
	lca, ca, cb := pa[i-1], pa[i], pb[i]
	switch lca := lca.(type) {
	case *ast.IfStmt:
		if (ca == lca.Body && cb == lca.Else) || (ca == lca.Else && cb == lca.Body) {
			return true
		}
	case *ast.BlockStmt:
		_, c1 := ca.(*ast.CaseClause)
		_, c2 := ca.(*ast.CommClause)
		if c1 || c2 {
			return true // different clauses of one switch or select
		}
	}
	// The earlier call is in a block below the common ancestor that ends
	// with a return: control does not go on to the later call.
	for _, n := range pa[i:] {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		default:
			continue
		}
		if len(list) > 0 {
			if _, ok := list[len(list)-1].(*ast.ReturnStmt); ok {
				return true
			}
		}
	}
	return false
}
