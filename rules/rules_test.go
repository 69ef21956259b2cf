package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
)

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if err := r.Doc.Check(); err != nil {
			t.Error(err)
		}
		if r.Analyzer.Name != r.Doc.ID {
			t.Errorf("%s: analyzer is named %q", r.Doc.ID, r.Analyzer.Name)
		}
		if seen[r.Doc.ID] || seen[r.Doc.Name] {
			t.Errorf("%s (%s) is registered twice", r.Doc.ID, r.Doc.Name)
		}
		seen[r.Doc.ID], seen[r.Doc.Name] = true, true
	}
	if err := analysis.Validate(Analyzers()); err != nil {
		t.Error(err)
	}
}

// TestDocsUpToDate fails when docs/rules/ differs from what the rules'
// documentation generates.
func TestDocsUpToDate(t *testing.T) {
	files, err := DocFiles()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "docs", "rules")
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/rules/%s is stale or missing; run: go run ./internal/gendocs", name)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok {
			t.Errorf("docs/rules/%s belongs to no rule; delete it or run: go run ./internal/gendocs", e.Name())
		}
	}
}
