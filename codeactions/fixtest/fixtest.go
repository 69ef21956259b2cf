// Package fixtest checks a rule's quick fixes against golden files, for
// every kind of file a fix may touch: Go files, manifest.json, and files a
// fix creates. analysistest.RunWithSuggestedFixes covers Go files only.
package fixtest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions"
)

// Run runs the analyzer over the pattern in dir (checking its // want
// comments as analysistest.Run does), applies every fix of every
// diagnostic, and compares each file a fix changed or created with the
// file of the same name plus ".golden". A golden file whose file no fix
// touched is an error too.
func Run(t *testing.T, dir string, a *analysis.Analyzer, pattern string) {
	t.Helper()
	results := analysistest.Run(t, dir, a, pattern)
	var fixes []codeactions.Fix
	for _, r := range results {
		for _, d := range r.Diagnostics {
			fs, err := codeactions.FromAnalysis(r.Pass.Fset, d, nil)
			if err != nil {
				t.Fatal(err)
			}
			fixes = append(fixes, fs...)
		}
	}
	changed, conflicts, err := codeactions.Apply(os.ReadFile, fixes)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conflicts {
		t.Errorf("conflict: %s", c)
	}
	pkgDir := filepath.Join(dir, pattern)
	for name, got := range changed {
		want, err := os.ReadFile(name + ".golden")
		if err != nil {
			t.Errorf("a fix changed %s but there is no %s.golden: %v\n--- got ---\n%s", rel(dir, name), rel(dir, name), err, got)
			continue
		}
		if strings.TrimSpace(string(got)) != strings.TrimSpace(string(want)) {
			t.Errorf("%s after the fixes differs from its golden file\n--- got ---\n%s\n--- want ---\n%s", rel(dir, name), got, want)
		}
	}
	goldens, _ := filepath.Glob(filepath.Join(pkgDir, "*.golden"))
	sort.Strings(goldens)
	for _, g := range goldens {
		abs, _ := filepath.Abs(strings.TrimSuffix(g, ".golden"))
		if _, ok := changed[abs]; !ok {
			if _, ok := changed[strings.TrimSuffix(g, ".golden")]; !ok {
				t.Errorf("%s exists but no fix changed %s", rel(dir, g), rel(dir, strings.TrimSuffix(g, ".golden")))
			}
		}
	}
}

func rel(dir, name string) string {
	if r, err := filepath.Rel(dir, name); err == nil {
		return r
	}
	return name
}
