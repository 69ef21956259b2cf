package errorhandling_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/rules/errorhandling"
)

func TestDoc(t *testing.T) {
	if err := errorhandling.Doc.Check(); err != nil {
		t.Error(err)
	}
}

func TestAnalyzer(t *testing.T) {
	results := analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), errorhandling.Analyzer, "./modules/standard/tracker/...", "./notmodule")

	// analysistest drops unused imports after applying fixes; the
	// project's own Apply does not, and an editor applies one fix at a
	// time. Each fix alone, and all of them together, must leave a package
	// that type-checks.
	var fixes []codeactions.Fix
	var pass *analysis.Pass
	for _, r := range results {
		if r.Pass.Pkg.Path() != trackerPath || hasTestFile(r.Pass) {
			continue // the test variant repeats the same fixes
		}
		pass = r.Pass
		for _, d := range r.Diagnostics {
			fs, err := codeactions.FromAnalysis(r.Pass.Fset, d, errorhandling.Doc.SafeFix)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.Safe {
					t.Errorf("fix %q is declared safe", f.Title)
				}
			}
			fixes = append(fixes, fs...)
		}
	}
	if len(fixes) != 10 {
		t.Fatalf("got %d fixes, want 10", len(fixes))
	}
	typeCheck := func(name string, fixes []codeactions.Fix) {
		changed, conflicts, err := codeactions.Apply(os.ReadFile, fixes)
		if err != nil || len(conflicts) > 0 {
			t.Fatalf("%s: %v %v", name, err, conflicts)
		}
		diags, err := check(pass, changed)
		if err != nil {
			t.Errorf("after %s: %v", name, err)
		}
		if name == "all fixes" {
			// Only the plain error the fix cannot reach remains, with the
			// plain sentinels returned, which have no fix.
			plain := 0
			for _, d := range diags {
				if strings.Contains(d.Message, "plain error") {
					plain++
					if d.SuggestedFixes != nil {
						t.Errorf("after all fixes: %s", d.Message)
					}
				}
			}
			if plain != 4 {
				t.Errorf("after all fixes: %d plain errors reported, want 4", plain)
			}
		}
	}
	for _, f := range fixes {
		typeCheck(filepath.Base(f.Edits[0].File)+" fix alone", []codeactions.Fix{f})
	}
	typeCheck("all fixes", fixes)
}

const trackerPath = "example.com/ruletest/modules/standard/tracker"

func hasTestFile(pass *analysis.Pass) bool {
	for _, f := range pass.Files {
		if strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go") {
			return true
		}
	}
	return false
}

// check type-checks the pass's package with the changed files' contents,
// importing what the package imported, and runs the analyzer on the result.
func check(pass *analysis.Pass, changed map[string][]byte) ([]analysis.Diagnostic, error) {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, f := range pass.Files {
		name := pass.Fset.File(f.Pos()).Name()
		src, ok := changed[name]
		if !ok {
			var err error
			if src, err = os.ReadFile(name); err != nil {
				return nil, err
			}
		}
		file, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	imports := map[string]*types.Package{}
	for _, p := range pass.Pkg.Imports() {
		imports[p.Path()] = p
	}
	conf := types.Config{Importer: importerFunc(func(path string) (*types.Package, error) {
		if p, ok := imports[path]; ok {
			return p, nil
		}
		return nil, fmt.Errorf("%s was not imported before the fixes", path)
	})}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Implicits:  map[ast.Node]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Scopes:     map[ast.Node]*types.Scope{},
		Instances:  map[*ast.Ident]types.Instance{},
	}
	pkg, err := conf.Check(pass.Pkg.Path(), fset, files, info)
	if err != nil {
		return nil, err
	}
	var diags []analysis.Diagnostic
	fixed := &analysis.Pass{
		Analyzer: errorhandling.Analyzer, Fset: fset, Files: files, Pkg: pkg, TypesInfo: info,
		Report: func(d analysis.Diagnostic) { diags = append(diags, d) },
		// The imports are the same packages: their facts still hold.
		ImportObjectFact:  pass.ImportObjectFact,
		ImportPackageFact: pass.ImportPackageFact,
		ExportObjectFact:  func(types.Object, analysis.Fact) {},
		ExportPackageFact: func(analysis.Fact) {},
	}
	_, err = errorhandling.Analyzer.Run(fixed)
	return diags, err
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
