package manifest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions/fixtest"
)

func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	fixtest.Run(t, dir, Analyzer,
		[]string{"./modules/standard/lonely", "./modules/standard/reader"},
		"./modules/standard/ledger/...",
		"./modules/standard/keeper",
		"./opaqueapp/...",
		"./modules/standard/shop",
		"./modules/standard/stock",
		"./modules/standard/alpha",
		"./modules/standard/sketch",
		"./modules/standard/routes",
		"./notmodule",
	)
}

// collector is an analysistest.Testing that keeps the errors it is given.
type collector struct{ errs []string }

func (c *collector) Errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// TestManifestPositions checks the diagnostics placed in manifest.json,
// which analysistest cannot match with // want comments: analysistest
// reports each as unexpected, and the test compares them with the list
// below instead. Every other complaint of analysistest fails the test.
func TestManifestPositions(t *testing.T) {
	dir := analysistest.TestData()
	c := &collector{}
	results := analysistest.Run(c, dir, Analyzer, "./modules/standard/broken", "./modules/standard/garbled")
	want := []string{
		`modules/standard/broken/manifest.json:4:3: manifest.json is not valid JSON: invalid character '"' after object key:value pair`,
		`modules/standard/garbled/manifest.json:4:15: features is a string, want an array of strings`,
		`modules/standard/garbled/manifest.json:5:19: dependencies is a string, want an array of strings`,
		`modules/standard/garbled/manifest.json:6:15: services is a string, want an array of strings`,
	}
	var got []string
	seen := map[string]bool{}
	for _, r := range results {
		for _, d := range r.Diagnostics {
			posn := r.Pass.Fset.Position(d.Pos)
			rel, _ := filepath.Rel(dir, posn.Filename)
			s := fmt.Sprintf("%s:%d:%d: %s", filepath.ToSlash(rel), posn.Line, posn.Column, d.Message)
			if !seen[s] {
				seen[s] = true
				got = append(got, s)
			}
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	for _, e := range c.errs {
		if !strings.Contains(e, "manifest.json:") || !strings.Contains(e, "unexpected diagnostic") {
			t.Error(e)
		}
	}
	if len(c.errs) == 0 {
		t.Error("analysistest found no unexpected diagnostic in manifest.json")
	}
}

func TestDoc(t *testing.T) {
	if err := Doc.Check(); err != nil {
		t.Error(err)
	}
	for _, f := range []string{"api", "database", "settings"} {
		if !Doc.SafeFix("Add " + f + " to features") {
			t.Errorf("Add %s to features is not declared safe", f)
		}
	}
}
