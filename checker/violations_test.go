package checker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/modls/modls/rules"
)

// marker is a violation the examples/violations workspace declares: a
// `// want MODxxx "..."` comment on a Go line, or a line of
// manifest_violations.txt.
type marker struct {
	file string
	line int
	rule string
}

func (m marker) String() string { return fmt.Sprintf("%s:%d: %s", m.file, m.line, m.rule) }

var wantRE = regexp.MustCompile(`// want (MOD\d{3}) "`)

func violationMarkers(t *testing.T, root string) []marker {
	t.Helper()
	var out []marker
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(root, path)
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			for _, m := range wantRE.FindAllStringSubmatch(sc.Text(), -1) {
				out = append(out, marker{filepath.ToSlash(rel), n, m[1]})
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "manifest_violations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lineRE := regexp.MustCompile(`^(\S+):(\d+): (MOD\d{3}) `)
	for _, l := range strings.Split(string(data), "\n") {
		if m := lineRE.FindStringSubmatch(l); m != nil {
			var n int
			fmt.Sscan(m[2], &n)
			out = append(out, marker{m[1], n, m[3]})
		}
	}
	return out
}

// TestViolationsWorkspace checks that modls reports exactly the violations
// marked in examples/violations: each marked line gets a finding of its
// rule, and nothing else is reported.
func TestViolationsWorkspace(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "examples", "violations"))
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, r := range rules.All() {
		registered[r.Doc.ID] = true
	}
	want := map[string]bool{}
	for _, m := range violationMarkers(t, root) {
		if registered[m.rule] {
			want[m.String()] = true
		}
	}
	res, err := Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range res.Diagnostics {
		d = d.Relative(root)
		got[marker{d.File, d.Line, d.Rule}.String()] = true
	}
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, k := range missing {
		t.Errorf("marked but not reported: %s", k)
	}
	for _, k := range extra {
		t.Errorf("reported but not marked: %s", k)
	}
}

// TestExampleAppIsClean checks that the reference application, compliant
// by hand, gets no findings at all.
func TestExampleAppIsClean(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "examples", "app"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(context.Background(), Options{Dir: root, Patterns: []string{"./..."}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected finding: %s", d.Relative(root))
	}
	if res.Packages < 7 {
		t.Errorf("checked %d packages; examples/app has at least 7", res.Packages)
	}
}
