package servicedocsmismatch_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/servicedocsmismatch"
)

func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), servicedocsmismatch.Analyzer,
		"./modules/standard/tracker", "./modules/standard/billing/...", "./notmodule")
}

var wantComment = regexp.MustCompile("[ \t]*// want .*")

// TestFixedIsQuiet checks that the code the fixes produce compiles and
// that the rule has nothing more to say about it.
func TestFixedIsQuiet(t *testing.T) {
	src, err := filepath.Abs(analysistest.TestData())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(gomod), "\n")
	for i, l := range lines {
		if old, target, ok := strings.Cut(l, "=>"); ok && strings.HasPrefix(l, "replace ") {
			lines[i] = old + "=> " + filepath.Join(src, strings.TrimSpace(target))
		}
	}
	write(t, filepath.Join(dir, "go.mod"), strings.Join(lines, "\n"))
	module := filepath.Join("modules", "standard", "tracker")
	err = filepath.WalkDir(filepath.Join(src, module), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".golden") {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if golden, err := os.ReadFile(path + ".golden"); err == nil {
			data = wantComment.ReplaceAll(golden, nil)
		}
		write(t, filepath.Join(dir, rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, dir, servicedocsmismatch.Analyzer, "./"+filepath.ToSlash(module))
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDoc(t *testing.T) {
	if err := servicedocsmismatch.Doc.Check(); err != nil {
		t.Error(err)
	}
	if servicedocsmismatch.Analyzer.Name != servicedocsmismatch.Doc.ID {
		t.Errorf("analyzer is named %q, want %s", servicedocsmismatch.Analyzer.Name, servicedocsmismatch.Doc.ID)
	}
}
