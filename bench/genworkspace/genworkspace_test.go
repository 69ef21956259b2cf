package genworkspace

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modls/modls/checker"
)

// TestGenerate checks that a generated workspace holds exactly the planned
// findings, in the modules planned.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	const n = 14
	if err := Generate(dir, n, Options{Framework: filepath.Join("..", "..")}); err != nil {
		t.Fatal(err)
	}
	res, err := checker.Check(context.Background(), checker.Options{Dir: dir, Patterns: []string{"./..."}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, filepath.Base(filepath.Dir(d.File))+" "+d.Rule)
	}
	var want []string
	for i := 0; i < n; i++ {
		if Violating(i) {
			for _, r := range ExpectedFindings {
				want = append(want, fmt.Sprintf("%s %s", Name(i), r))
			}
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Packages != 2*n+1 {
		t.Errorf("%d packages, want %d (each module and its contract, and main)", res.Packages, 2*n+1)
	}
}

func TestGenerateRefusesNoModules(t *testing.T) {
	if err := Generate(t.TempDir(), 0, Options{Framework: filepath.Join("..", "..")}); err == nil {
		t.Error("Generate with no modules succeeded")
	}
}
