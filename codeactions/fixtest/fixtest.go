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

// Run runs the analyzer once over the patterns of fixed and of checked
// together in dir (checking their // want comments as analysistest.Run
// does; one load, so the framework and the standard library are
// type-checked once), applies every fix of every diagnostic in the
// packages of fixed, and compares each file a fix changed or created
// with the file of the same name plus ".golden". A golden file in a
// package directory of fixed whose file no fix touched is an error too.
// The packages of checked are held to their // want comments only. It
// returns analysistest's results, for further checks.
func Run(t *testing.T, dir string, a *analysis.Analyzer, fixed []string, checked ...string) []*analysistest.Result {
	t.Helper()
	results := analysistest.Run(t, dir, a, append(append([]string(nil), fixed...), checked...)...)
	var fixes []codeactions.Fix
	dirs := map[string]bool{}
	for _, r := range results {
		pkgDir := packageDir(r.Pass)
		if !inPatterns(dir, fixed, pkgDir) {
			continue
		}
		dirs[pkgDir] = true
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
	var goldens []string
	for d := range dirs {
		g, _ := filepath.Glob(filepath.Join(d, "*.golden"))
		goldens = append(goldens, g...)
	}
	sort.Strings(goldens)
	for _, g := range goldens {
		abs, _ := filepath.Abs(strings.TrimSuffix(g, ".golden"))
		if _, ok := changed[abs]; !ok {
			if _, ok := changed[strings.TrimSuffix(g, ".golden")]; !ok {
				t.Errorf("%s exists but no fix changed %s", rel(dir, g), rel(dir, strings.TrimSuffix(g, ".golden")))
			}
		}
	}
	return results
}

// packageDir is the directory of the package a pass analysed.
func packageDir(p *analysis.Pass) string {
	for _, f := range p.Files {
		if name := p.Fset.File(f.Pos()).Name(); name != "" {
			return filepath.Dir(name)
		}
	}
	return ""
}

// inPatterns reports whether pkgDir is a package directory one of the
// patterns (relative to dir, "./x" or "./x/...") names.
func inPatterns(dir string, patterns []string, pkgDir string) bool {
	for _, p := range patterns {
		tree := strings.HasSuffix(p, "/...")
		base, err := filepath.Abs(filepath.Join(dir, strings.TrimSuffix(p, "/...")))
		if err != nil {
			continue
		}
		if pkgDir == base || tree && strings.HasPrefix(pkgDir, base+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func rel(dir, name string) string {
	if r, err := filepath.Rel(dir, name); err == nil {
		return r
	}
	return name
}
