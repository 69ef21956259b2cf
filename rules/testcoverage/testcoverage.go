package testcoverage

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/workspace"
)

// Analyzer reports exported service methods that no test of the module
// references.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

const fixTitle = "Create a test skeleton"

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	methods := fw.DeclaredServiceMethods(pass)
	if len(methods) == 0 {
		return nil, nil
	}
	tests := readTests(pass, m)
	for _, sm := range methods {
		if tests.selected[sm.Fn.Name()] {
			continue
		}
		d := analysis.Diagnostic{
			Pos:      sm.Decl.Name.Pos(),
			End:      sm.Decl.Name.End(),
			Category: Doc.ID,
			Message:  fmt.Sprintf("no test in module %s references service method %s", m.Name(), sm.Fn.Name()),
			Related: []analysis.RelatedInformation{{
				Pos: sm.Reg.Call.Pos(), End: sm.Reg.Call.Pos(),
				Message: "the service is registered here",
			}},
		}
		if fix, ok := skeletonFix(pass, sm, tests); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
		pass.Report(d)
	}
	return nil, nil
}

// tests is what the module's test files hold.
type tests struct {
	// selected holds every name selected in a test file (x.Name,
	// (*T).Name).
	selected map[string]bool
	// funcs holds the top-level function names of the test files, by
	// directory.
	funcs map[string]map[string]bool
	// inPass maps the test files of the pass to their syntax.
	inPass map[string]*ast.File
}

// readTests reads the module's test files: those of the pass from its
// syntax (an editor's buffers), the others as the checker reads them (the
// editor's buffers or the disk).
func readTests(pass *analysis.Pass, m *workspace.Module) tests {
	t := tests{selected: map[string]bool{}, funcs: map[string]map[string]bool{}, inPass: map[string]*ast.File{}}
	for _, f := range pass.Files {
		if name := pass.Fset.File(f.Pos()).Name(); isTest(name) {
			t.inPass[name] = f
			t.add(name, testNames(f, nil))
		}
	}
	for _, name := range m.Files {
		if !isTest(name) || t.inPass[name] != nil {
			continue
		}
		// A file being edited may not parse: what was read still counts.
		if names, err := otherTests.Of(pass, name); err == nil {
			t.add(name, names)
		}
	}
	return t
}

// otherTests holds what each test file outside a pass names.
var otherTests = fw.NewSummaries(testNames)

// names is what a test file names: every name it selects (x.Name,
// (*T).Name) and its top-level functions.
type names struct {
	selected, funcs []string
}

func testNames(f *ast.File, _ error) names {
	var n names
	seen := map[string]bool{}
	ast.Inspect(f, func(node ast.Node) bool {
		if sel, ok := node.(*ast.SelectorExpr); ok && !seen[sel.Sel.Name] {
			seen[sel.Sel.Name] = true
			n.selected = append(n.selected, sel.Sel.Name)
		}
		return true
	})
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			n.funcs = append(n.funcs, fd.Name.Name)
		}
	}
	return n
}

func (t tests) add(name string, n names) {
	for _, s := range n.selected {
		t.selected[s] = true
	}
	dir := filepath.Dir(name)
	if t.funcs[dir] == nil {
		t.funcs[dir] = map[string]bool{}
	}
	for _, fn := range n.funcs {
		t.funcs[dir][fn] = true
	}
}

// skeletonFix creates or extends <method>_test.go beside the method with a
// test that names the method and fails until it is written.
func skeletonFix(pass *analysis.Pass, sm fw.ServiceMethod, t tests) (analysis.SuggestedFix, bool) {
	recv := recvExpr(pass, sm)
	if recv == "" {
		return analysis.SuggestedFix{}, false
	}
	dir := filepath.Dir(pass.Fset.File(sm.Decl.Pos()).Name())
	base := strings.Map(func(r rune) rune {
		if r == '_' {
			return -1
		}
		return unicode.ToLower(r)
	}, sm.Fn.Name())
	testName := "Test" + upperFirst(typeName(sm)) + sm.Fn.Name()
	for i := 2; t.funcs[dir][testName]; i++ {
		testName = fmt.Sprintf("Test%s%s%d", upperFirst(typeName(sm)), sm.Fn.Name(), i)
	}
	body := fmt.Sprintf(`
// %[1]s tests %[2]s.%[3]s. It is a skeleton that fails
// until it is written.
func %[1]s(t *testing.T) {
	_ = %[2]s.%[3]s
	t.Fatal("write a test for %[2]s.%[3]s")
}
`, testName, recv, sm.Fn.Name())

	for _, name := range []string{base + "_test.go", base + "_skeleton_test.go"} {
		name = filepath.Join(dir, name)
		if f := t.inPass[name]; f != nil {
			if !appendable(pass.Pkg.Name(), f) {
				continue
			}
			return appendFix(f.FileEnd, body), true
		}
		tf, exists := fw.NewFile(pass, name)
		if !exists {
			text := fmt.Sprintf("package %s\n\nimport \"testing\"\n%s", pass.Pkg.Name(), body)
			return analysis.SuggestedFix{
				Message:   fixTitle,
				TextEdits: []analysis.TextEdit{{Pos: tf.Pos(0), End: tf.Pos(0), NewText: []byte(text)}},
			}, true
		}
		data, err := fw.ReadFile(pass, name)
		if err != nil || len(data) != tf.Size() {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, data, parser.ImportsOnly)
		if err != nil || !appendable(pass.Pkg.Name(), f) {
			continue
		}
		return appendFix(tf.Pos(tf.Size()), body), true
	}
	return analysis.SuggestedFix{}, false
}

func appendFix(end token.Pos, body string) analysis.SuggestedFix {
	return analysis.SuggestedFix{
		Message:   fixTitle,
		TextEdits: []analysis.TextEdit{{Pos: end, End: end, NewText: []byte(body)}},
	}
}

// appendable reports whether a skeleton can be appended to an existing test
// file: it is in the package itself and imports testing under its name.
func appendable(pkg string, f *ast.File) bool {
	if f.Name.Name != pkg {
		return false
	}
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == "testing" && (imp.Name == nil || imp.Name.Name == "testing") {
			return true
		}
	}
	return false
}

// recvExpr is the type to write in a method expression of the method:
// "(*Service)", or "(*Cache[string])" for an instantiated generic
// implementation. It is "" when the type cannot be written in the package
// (type arguments from other packages).
func recvExpr(pass *analysis.Pass, sm fw.ServiceMethod) string {
	t := sm.Reg.Impl
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() != pass.Pkg {
		return ""
	}
	s := fw.TypeString(n, pass.Pkg)
	if strings.Contains(s, ".") {
		return ""
	}
	return "(*" + s + ")"
}

// typeName is the name of the registered implementation type.
func typeName(sm fw.ServiceMethod) string {
	recv := sm.Reg.Impl
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	if n, ok := types.Unalias(recv).(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.go") }
