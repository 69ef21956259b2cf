package sandbox

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/modls/modls/framework"
	"github.com/modls/modls/workspace"
)

// IntegrationTag is the build tag that marks a module's integration tests:
// a _test.go file of the module (or of one of its sub-packages) that starts
// with //go:build integration holds tests that only the sandbox runs.
const IntegrationTag = "integration"

// pos is a place in the real workspace.
type pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// facts are what the runner reads from the target module's source to point
// failures at a line: where routes are declared, where sessions are opened,
// which error codes are used, where the code exits the process or starts
// processes, and which integration tests there are.
type facts struct {
	routes   map[string]pos // GET path → declaration
	sessions map[string]pos // IntegritySession purpose → call
	codes    []codeUse
	exits    []pos // os.Exit calls outside tests
	commands []pos // exec.Command calls in integration tests
	// tests maps a package directory (real) to its integration tests.
	tests map[string][]string
}

// codeUse mirrors the harness's.
type codeUse struct {
	Code string `json:"code"`
	File string `json:"file"`
	Line int    `json:"line"`
}

var frameworkCodes = map[string]string{
	"CodeInvalidArgument": framework.CodeInvalidArgument,
	"CodeNotFound":        framework.CodeNotFound,
	"CodeConflict":        framework.CodeConflict,
	"CodeUnauthorized":    framework.CodeUnauthorized,
	"CodeForbidden":       framework.CodeForbidden,
	"CodeTooLarge":        framework.CodeTooLarge,
	"CodeUnavailable":     framework.CodeUnavailable,
	"CodeInternal":        framework.CodeInternal,
}

// readFacts parses the module's files (read through the overlay).
func readFacts(m *workspace.Module, read func(string) ([]byte, error)) *facts {
	fx := &facts{routes: map[string]pos{}, sessions: map[string]pos{}, tests: map[string][]string{}}
	fset := token.NewFileSet()
	type parsed struct {
		name string
		f    *ast.File
	}
	var files []parsed
	consts := map[string]string{} // package-level string constants, by package dir + name
	for _, name := range m.Files {
		src, err := read(name)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		_ = err
		files = append(files, parsed{name, f})
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, _ := strconv.Unquote(lit.Value)
							consts[filepath.Dir(name)+"."+id.Name] = s
						}
					}
				}
			}
		}
	}
	str := func(dir string, e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				s, err := strconv.Unquote(e.Value)
				return s, err == nil
			}
		case *ast.Ident:
			s, ok := consts[dir+"."+e.Name]
			return s, ok
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok && x.Name == "framework" {
				s, ok := frameworkCodes[e.Sel.Name]
				return s, ok
			}
		}
		return "", false
	}
	for _, pf := range files {
		name, f := pf.name, pf.f
		dir := filepath.Dir(name)
		isTest := strings.HasSuffix(name, "_test.go")
		integration := isTest && isIntegrationFile(f)
		at := func(n ast.Node) pos {
			p := fset.Position(n.Pos())
			return pos{File: p.Filename, Line: p.Line}
		}
		if integration {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if ok && fd.Recv == nil && isTestFunc(fd) {
					fx.tests[dir] = append(fx.tests[dir], fd.Name.Name)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fun := call.Fun
			if ix, ok := fun.(*ast.IndexExpr); ok {
				fun = ix.X
			} else if ix, ok := fun.(*ast.IndexListExpr); ok {
				fun = ix.X
			}
			sel, ok := fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, _ := sel.X.(*ast.Ident)
			pkg := ""
			if x != nil {
				pkg = x.Name
			}
			switch {
			case pkg == "framework" && sel.Sel.Name == "GET" && len(call.Args) > 0 && !isTest:
				if p, ok := str(dir, call.Args[0]); ok {
					fx.routes[p] = at(call)
				}
			case pkg == "framework" && sel.Sel.Name == "Errorf" && len(call.Args) > 0 && !isTest:
				if code, ok := str(dir, call.Args[0]); ok {
					p := at(call)
					fx.codes = append(fx.codes, codeUse{Code: code, File: p.File, Line: p.Line})
				}
			case sel.Sel.Name == "IntegritySession" && len(call.Args) > 1 && !isTest:
				if purpose, ok := str(dir, call.Args[1]); ok {
					if _, dup := fx.sessions[purpose]; !dup {
						fx.sessions[purpose] = at(call)
					}
				}
			case pkg == "os" && sel.Sel.Name == "Exit" && !isTest:
				fx.exits = append(fx.exits, at(call))
			case pkg == "exec" && (sel.Sel.Name == "Command" || sel.Sel.Name == "CommandContext") && integration:
				fx.commands = append(fx.commands, at(call))
			}
			return true
		})
	}
	for dir := range fx.tests {
		sort.Strings(fx.tests[dir])
	}
	return fx
}

func isTestFunc(fd *ast.FuncDecl) bool {
	name := fd.Name.Name
	if !strings.HasPrefix(name, "Test") || name == "TestMain" {
		return false
	}
	if len(name) > 4 {
		if r := name[4]; r >= 'a' && r <= 'z' {
			return false
		}
	}
	params := fd.Type.Params.List
	return len(params) == 1 && fd.Type.Results == nil
}

// isIntegrationFile reports whether a test file's build constraint holds
// with the integration tag and not without it.
func isIntegrationFile(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if !constraint.IsGoBuild(c.Text) {
				continue
			}
			expr, err := constraint.Parse(c.Text)
			if err != nil {
				return false
			}
			with := expr.Eval(func(tag string) bool { return tag == IntegrationTag || hostTag(tag) })
			without := expr.Eval(hostTag)
			return with && !without
		}
	}
	return false
}

func hostTag(tag string) bool {
	return tag == runtime.GOOS || tag == runtime.GOARCH || tag == "unix" || strings.HasPrefix(tag, "go1.")
}
