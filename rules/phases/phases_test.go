package phases_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/phases"
)

func TestAnalyzer(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), phases.Analyzer,
		"./modules/standard/cache", "./modules/standard/quiet", "./notmodule")
	relatedAcrossPackages(t, results)
}

func TestDoc(t *testing.T) {
	if err := phases.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}

// relatedAcrossPackages checks that a finding reached through another
// package points at the offending call there.
func relatedAcrossPackages(t *testing.T, results []*analysistest.Result) {
	t.Helper()
	found := false
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if !strings.Contains(d.Message, "through store.Load") {
				continue
			}
			found = true
			var places []string
			for _, rel := range d.Related {
				p := r.Pass.Fset.Position(rel.Pos)
				places = append(places, fmt.Sprintf("%s:%d:%d %s", filepath.Base(p.Filename), p.Line, p.Column, rel.Message))
			}
			want := "cache.go:100:18 the Setup method; store.go:17:9 here, in readSeed"
			if got := strings.Join(places, "; "); got != want {
				t.Errorf("related information: %s, want %s", got, want)
			}
		}
	}
	if !found {
		t.Error("no finding through store.Load")
	}
}
