package checker

import (
	"context"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/rules"
)

// warmGoBuild has the go command compile the dependencies of dir's
// packages as the checker lists them, so that the Go build cache holds
// their export data (as it does where the application was built).
func warmGoBuild(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go list -export: %v\n%s", err, out)
	}
}

// directImportsOf lists what the Go files below dir (the Go module whose
// path is module) import from outside it, blank imports left out.
func directImportsOf(t *testing.T, dir, module string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			if spec.Name != nil && spec.Name.Name == "_" || p == module || strings.HasPrefix(p, module+"/") || p == "unsafe" || p == "C" {
				continue
			}
			seen[p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(seen))
}

// emptyCache opens a new cache file of the test's own.
func emptyCache(t *testing.T) *Cache {
	t.Helper()
	c, err := OpenCache(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestDependenciesFromGoBuild: with nothing in modls's cache, the types of
// the dependencies outside the main module come from the Go build cache's
// export data, the findings are those of a check from source, and what was
// read is recorded, so that the next check needs the go command for none
// of it. Without the export data at hand (the go command fails, or is too
// slow) the dependencies are checked from source.
func TestDependenciesFromGoBuild(t *testing.T) {
	// relay mixes the types of packages it imports with those they refer
	// to (io's in net/http's): read from export data, they must be one.
	dir := writeWorkspace(t, shop+`
-- modules/standard/shop/relay.go --
package shop

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

func relay(w http.ResponseWriter, r *http.Request) error {
	var body io.ReadCloser = r.Body
	_, err := io.Copy(w, io.MultiReader(body, strings.NewReader("x")))
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	_ = r.WithContext(ctx)
	var _ context.Context = ctx
	return err
}
`)
	warmGoBuild(t, dir)

	t.Setenv("MODLS_GO_EXPORTS", "off")
	truth := check(t, dir, Options{Cache: emptyCache(t)})
	want := strings.Join(lines(dir, truth.Diagnostics), "\n")
	if truth.goBuild != 0 || len(want) == 0 || !slices.Contains(truth.sourced, "fmt") {
		t.Fatalf("with MODLS_GO_EXPORTS=off: %d packages from the Go build cache, type-checked %v, findings:\n%s", truth.goBuild, truth.sourced, want)
	}
	t.Setenv("MODLS_GO_EXPORTS", "")

	c := emptyCache(t)
	res := check(t, dir, Options{Cache: c})
	if got := strings.Join(lines(dir, res.Diagnostics), "\n"); got != want {
		t.Errorf("findings with the Go build cache's export data:\n%s\nwant (from source):\n%s", got, want)
	}
	for _, p := range res.sourced {
		if !strings.HasPrefix(p, "example.com/shop") {
			t.Errorf("%s was type-checked from source; want it from the Go build cache", p)
		}
	}
	// Read are the packages outside the main module that its packages
	// import (what they refer to comes with them).
	if direct := directImportsOf(t, dir, "example.com/shop"); res.goBuild != len(direct) || len(direct) < 3 {
		t.Errorf("%d packages from the Go build cache; want the %d the workspace imports: %v", res.goBuild, len(direct), direct)
	}

	// Recorded: an edit of a module re-checks it against the recorded
	// types, without the go command.
	file := filepath.Join(dir, "modules", "standard", "shop", "module.go")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(data, "\n// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(file, future, future)
	calls := goExportCalls.Load()
	again := check(t, dir, Options{Cache: c})
	if n := goExportCalls.Load() - calls; n != 0 {
		t.Errorf("after an edit, the go command was asked for export data %d times; want none (the cache has them)", n)
	}
	if again.Cached == again.Packages || again.goBuild != 0 {
		t.Errorf("after an edit: %d of %d packages cached, %d from the Go build cache; want the edited one checked against the recorded types",
			again.Cached, again.Packages, again.goBuild)
	}
	if got := strings.Join(lines(dir, again.Diagnostics), "\n"); got != want {
		t.Errorf("findings after the edit:\n%s\nwant:\n%s", got, want)
	}

	for _, tc := range []struct {
		name string
		set  func(t *testing.T)
	}{
		{"the go command fails", func(t *testing.T) {
			old := goCommand
			goCommand = "false"
			t.Cleanup(func() { goCommand = old })
		}},
		{"the go command runs out of time", func(t *testing.T) {
			old := goExportBudget
			goExportBudget = time.Nanosecond
			t.Cleanup(func() { goExportBudget = old })
		}},
		{"the build cache lacks them", func(t *testing.T) {
			// An empty build cache: the go command would compile for
			// minutes; it is stopped as soon as it starts, long before
			// its budget (were it not, it would make the export data and
			// the check would read them).
			t.Setenv("GOCACHE", t.TempDir())
			old := goExportBudget
			goExportBudget = 10 * time.Minute
			t.Cleanup(func() { goExportBudget = old })
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			t.Cleanup(func() {
				// Nothing of the go command is left: no compiler running,
				// no work directory.
				if left, _ := os.ReadDir(tmp); len(left) != 0 {
					t.Errorf("left in TMPDIR: %v", left)
				}
				if runtime.GOOS != "linux" {
					return
				}
				procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
				for _, p := range procs {
					if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), tmp) {
						t.Errorf("still running: %s", strings.ReplaceAll(string(b), "\x00", " "))
					}
				}
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.set(t)
			res := check(t, dir, Options{Cache: emptyCache(t)})
			if res.goBuild != 0 || !slices.Contains(res.sourced, "fmt") {
				t.Errorf("%d packages from the Go build cache, type-checked %v; want every dependency from source", res.goBuild, res.sourced)
			}
			if got := strings.Join(lines(dir, res.Diagnostics), "\n"); got != want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestUnsavedDependencyFromSource: a dependency with a file open in an
// editor is type-checked from the buffer, not read from the Go build
// cache (which holds what is on disk).
func TestUnsavedDependencyFromSource(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	warmGoBuild(t, dir)
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), "framework", "*.go"))
	var file string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			file = f
			break
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res := check(t, dir, Options{Cache: emptyCache(t), Overlay: map[string][]byte{file: append(data, "\n// unsaved\n"...)}})
	if !slices.Contains(res.sourced, rules.FrameworkPath) || slices.Contains(res.sourced, "fmt") {
		t.Errorf("type-checked %v; want the framework (its buffer) and not the standard library", res.sourced)
	}
	if res.goBuild == 0 {
		t.Error("nothing from the Go build cache")
	}
}

// TestFindingsForwarded: Options.Findings gets the findings the check
// returns, sorted, with the directories checked, once per run: from a
// check and from the memo of the last one alike.
func TestFindingsForwarded(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	c := emptyCache(t)
	for _, run := range []string{"checked", "from the memo"} {
		var calls int
		var got []Diagnostic
		var dirs []string
		res := check(t, dir, Options{Cache: c, Findings: func(d []string, ds []Diagnostic) {
			calls++
			dirs, got = d, ds
		}})
		if run == "from the memo" && !res.memo {
			t.Fatalf("%s: the memo did not answer", run)
		}
		if calls != 1 || !slices.Equal(dirs, res.Dirs) || strings.Join(lines(dir, got), "\n") != strings.Join(lines(dir, res.Diagnostics), "\n") || len(got) == 0 {
			t.Errorf("%s: %d calls with %v and\n%s\nwant one with %v and\n%s", run, calls, dirs, strings.Join(lines(dir, got), "\n"), res.Dirs, strings.Join(lines(dir, res.Diagnostics), "\n"))
		}
	}
}

// TestDirectImports: the packages read first are what the main module's
// packages import as the loader takes it, a blank import left out (the
// loader never reads it, so it needs no export data), and a package's
// imports come before it.
func TestDirectImports(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop+`
-- modules/standard/shop/extra.go --
package shop

import (
	_ "net/http/pprof"

	"bufio"
	"io"
)

var _ = bufio.NewReader((io.Reader)(nil))
`)
	listed, err := goList(context.Background(), dir, []string{"./..."}, true)
	if err != nil {
		t.Fatal(err)
	}
	l := newLoader(listed, nil)
	got := directImports(l, nil)
	pos := map[string]int{}
	for i, p := range got {
		pos[p] = i
	}
	for _, p := range []string{"bufio", "io", "github.com/modls/modls/framework"} {
		if _, ok := pos[p]; !ok {
			t.Errorf("%s is not among %v", p, got)
		}
	}
	if _, ok := pos["net/http/pprof"]; ok {
		t.Errorf("net/http/pprof, imported blank, is among %v", got)
	}
	if pos["io"] > pos["bufio"] {
		t.Errorf("io comes after bufio, which imports it: %v", got)
	}
}

// TestGuessedDirectImports: a check of a directory with an empty cache asks
// the go command for the export data of what the directory's files import,
// while the packages are listed, and needs no other call; when that guess
// names a package no build has made (here, one the go command fails on),
// the direct imports are asked about again, and still come from the Go
// build cache.
func TestGuessedDirectImports(t *testing.T) {
	dir := writeWorkspace(t, shop+`
-- modules/standard/shop/ignored.go --
//go:build ignore

package shop

import _ "net/http"
import "example.com/nowhere"

var _ = nowhere.X
`)
	warmGoBuild(t, dir)
	module := filepath.Join(dir, "modules", "standard", "shop")
	var want []string
	for _, p := range directImportsOf(t, module, "example.com/shop") {
		if p != "example.com/nowhere" {
			want = append(want, p)
		}
	}
	for _, tc := range []struct {
		name  string
		calls int64
		set   func(t *testing.T)
	}{
		{"the guess holds", 1, func(t *testing.T) {}},
		{"the guess names a package the go command fails on", 2, func(t *testing.T) {
			script := filepath.Join(t.TempDir(), "go")
			writeFile(t, script, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = example.com/nowhere ] && exit 1; done\nexec go \"$@\"\n", 0o755)
			old := goCommand
			goCommand = script
			t.Cleanup(func() { goCommand = old })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.set(t)
			calls := goExportCalls.Load()
			res := check(t, dir, Options{Patterns: []string{module}, Cache: emptyCache(t)})
			if n := goExportCalls.Load() - calls; n != tc.calls {
				t.Errorf("the go command was asked for export data %d times; want %d", n, tc.calls)
			}
			if res.goBuild != len(want) {
				t.Errorf("%d packages from the Go build cache; want the %d the module imports: %v", res.goBuild, len(want), want)
			}
			for _, p := range res.sourced {
				if !strings.HasPrefix(p, "example.com/shop") {
					t.Errorf("%s was type-checked from source; want it from the Go build cache", p)
				}
			}
		})
	}
}
