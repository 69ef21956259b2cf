package testcoverage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/packages"

	"github.com/modls/modls/codeactions/fixtest"
	"github.com/modls/modls/rules/testcoverage"
)

func TestDoc(t *testing.T) {
	if err := testcoverage.Doc.Check(); err != nil {
		t.Error(err)
	}
}

func TestAnalyzer(t *testing.T) {
	fixtest.Run(t, analysistest.TestData(), testcoverage.Analyzer,
		[]string{"./modules/standard/tracker", "./modules/standard/bare"},
		"./modules/standard/tracker/store", "./notmodule")
}

// TestFixed loads the modules with the skeletons of the golden files in
// place: they must compile, and the rule must then report only the method
// it offers no fix for.
func TestFixed(t *testing.T) {
	dir := analysistest.TestData()
	goldens, _ := filepath.Glob(filepath.Join(dir, "modules/standard/*/*_test.go.golden"))
	overlay := map[string][]byte{}
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(strings.TrimSuffix(g, ".golden"))
		overlay[abs] = data
	}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Tests: true, Dir: dir, Overlay: overlay}
	pkgs, err := packages.Load(cfg, "./modules/standard/tracker", "./modules/standard/bare")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.ID, e)
		}
		if !strings.HasSuffix(p.ID, ".test]") || strings.HasSuffix(p.PkgPath, "_test") {
			continue // the internal test variants hold every file
		}
		pass := &analysis.Pass{
			Analyzer: testcoverage.Analyzer, Fset: p.Fset, Files: p.Syntax, Pkg: p.Types, TypesInfo: p.TypesInfo,
			Report: func(d analysis.Diagnostic) { got = append(got, d.Message) },
		}
		if _, err := testcoverage.Analyzer.Run(pass); err != nil {
			t.Fatal(err)
		}
	}
	want := "no test in module standard.bare references service method Now"
	if len(got) != 1 || got[0] != want {
		t.Errorf("after the fixes, got %q, want only %q", got, want)
	}
}
