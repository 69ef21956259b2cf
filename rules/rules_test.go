package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// specRules is the rule table of the specification: every ID with its
// name, each registered exactly once.
var specRules = []struct{ id, name string }{
	{"MOD001", "service-registration"},
	{"MOD002", "service-docs-missing"},
	{"MOD003", "service-docs-mismatch"},
	{"MOD004", "settings-schema"},
	{"MOD005", "db-outside-session"},
	{"MOD006", "sql-invalid"},
	{"MOD007", "api-response-model"},
	{"MOD008", "error-handling"},
	{"MOD009", "phase-separation"},
	{"MOD010", "import-patterns"},
	{"MOD011", "test-coverage"},
	{"MOD012", "manifest"},
}

func TestRegistry(t *testing.T) {
	all := All()
	var got []string
	for _, r := range all {
		got = append(got, r.Doc.ID+" "+r.Doc.Name)
	}
	var want []string
	for _, s := range specRules {
		want = append(want, s.id+" "+s.name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("registered rules, in order:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	analyzers := Analyzers()
	if len(analyzers) != len(specRules) {
		t.Errorf("Analyzers() returns %d analyzers, want %d", len(analyzers), len(specRules))
	}
	seen := map[*analysis.Analyzer]bool{}
	for i, r := range all {
		id := specRules[i].id
		if err := r.Doc.Check(); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if r.Analyzer == nil {
			t.Errorf("%s has no analyzer", id)
			continue
		}
		if r.Analyzer.Name != id {
			t.Errorf("%s: analyzer is named %q", id, r.Analyzer.Name)
		}
		if r.Analyzer.Doc != r.Doc.AnalyzerDoc() {
			t.Errorf("%s: the analyzer's Doc is not its rule's documentation:\n%s", id, r.Analyzer.Doc)
		}
		if seen[r.Analyzer] {
			t.Errorf("%s: its analyzer is registered for another rule too", id)
		}
		seen[r.Analyzer] = true
		if !slices.Contains(r.Analyzer.Requires, fw.Analyzer) {
			t.Errorf("%s does not require fw.Analyzer: it would read the package's module and registrations again", id)
		}
		if i < len(analyzers) && analyzers[i] != r.Analyzer {
			t.Errorf("Analyzers()[%d] is %s, want %s's", i, analyzers[i].Name, id)
		}
		if byID, ok := ByID(id); !ok || byID.Analyzer != r.Analyzer || byID.Doc.Name != r.Doc.Name {
			t.Errorf("ByID(%s) = %v, %v", id, byID.Doc.ID, ok)
		}
	}
	if _, ok := ByID("MOD013"); ok {
		t.Error("ByID(MOD013) found a rule")
	}
	if err := analysis.Validate(analyzers); err != nil {
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
