package checker

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// buyer looks up the shop's service: its findings depend on the shop
// module's manifest, which a check of the buyer alone does not list.
const buyer = shop + `
-- modules/standard/buyer/manifest.json --
{"name": "standard.buyer", "version": "1.0.0", "description": "buys", "features": [], "dependencies": ["standard.shop"], "services": []}
-- modules/standard/buyer/module.go --
package buyer

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error { return nil }

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, "shop.service")
	return err
}
-- modules/standard/buyer/module_test.go --
package buyer

var _ = (*Module).Start
-- lib/go.mod --
module example.com/lib

go 1.26.0
-- lib/lib.go --
package lib

func Name() string { return "lib" }
`

// TestKeysMemoNoticesChanges checks the buyer module, then makes one change
// after another that can change its findings or keys: after each, the
// check through the cache gives the findings of a check without one and
// did not take its keys from the memo. With nothing changed, or a change
// to what no key depends on, the memo answers.
func TestKeysMemoNoticesChanges(t *testing.T) {
	dir := writeWorkspace(t, buyer)
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gomod = []byte(strings.Replace(string(gomod), "require github.com/modls/modls v0.0.0\n", "require (\n\tgithub.com/modls/modls v0.0.0\n\texample.com/lib v0.0.0\n)\n", 1) + "\nreplace example.com/lib => ./lib\n")
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, name), text, 0o644) }
	write("go.mod", string(gomod))
	write("modules/standard/buyer/lib.go", "package buyer\n\nimport \"example.com/lib\"\n\nvar Lib = lib.Name()\n")
	cache := seeded(t)
	opts := Options{Dir: dir, Patterns: []string{"./modules/standard/buyer/..."}}
	seen := map[string]bool{}
	var want []Diagnostic
	// step checks through the cache, and compares with a check without
	// it, unless no file changed since the last step (same), whose
	// findings that check gave.
	step := func(name string, wantMemo, same bool) {
		t.Helper()
		cached := opts
		cached.Cache = cache
		got, err := Check(context.Background(), cached)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if used := got.memo; used != wantMemo {
			t.Errorf("%s: keys taken from the memo: %v; want %v", name, used, wantMemo)
		}
		// A new copy of the seed: no listing, memo or findings recorded,
		// the dependencies' types from export data (as fast as a warm
		// check under the race detector).
		if !same {
			fresh := opts
			fresh.Cache = seeded(t)
			res, err := Check(context.Background(), fresh)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want = res.Diagnostics
		}
		seen[strings.Join(lines(dir, want), "\n")] = true
		if !reflect.DeepEqual(lines(dir, got.Diagnostics), lines(dir, want)) {
			t.Errorf("%s: findings through the cache\n%s\nwithout it\n%s", name, strings.Join(lines(dir, got.Diagnostics), "\n"), strings.Join(lines(dir, want), "\n"))
		}
	}
	step("first check", false, false)
	step("nothing changed", true, true)
	write("modules/standard/buyer/testdata/x.go", "package x\n")
	write("modules/standard/buyer/.module.go.swp", "swap")
	step("a test data file and an editor's swap file", true, false)
	shopManifest := filepath.Join("modules", "standard", "shop", "manifest.json")
	for _, c := range []struct {
		name   string
		change func()
	}{
		{"the other module's manifest", func() {
			write(shopManifest, `{"name": "standard.shop", "version": "1.0.0", "description": "a shop", "features": [], "dependencies": [], "services": []}`)
		}},
		{"the other module's code", func() {
			write("modules/standard/shop/extra.go", "package shop\n\nfunc (s *Service) Extra() {}\n")
		}},
		{"the other module's registration", func() {
			src, err := os.ReadFile(filepath.Join(dir, "modules", "standard", "shop", "module.go"))
			if err != nil {
				t.Fatal(err)
			}
			write("modules/standard/shop/module.go", strings.Replace(string(src), `"shop.service"`, `"shop.renamed"`, 1))
		}},
		{"a comment in the checked module", func() {
			write("modules/standard/buyer/module_test.go", "package buyer\n\n// A comment.\nvar _ = (*Module).Start\n")
		}},
		{"the replaced module's code", func() {
			write("lib/lib.go", "package lib\n\nfunc Name() string { return \"library\" }\n\nfunc Other() {}\n")
		}},
		{"a new module", func() {
			write("modules/standard/third/manifest.json", `{"name": "standard.third", "version": "1.0.0", "description": "third", "features": [], "dependencies": [], "services": ["shop.service"]}`)
			write("modules/standard/third/module.go", "package third\n\nimport \"github.com/modls/modls/framework\"\n\ntype Module struct{}\n\nfunc (m *Module) Setup(s *framework.Setup) error {\n\treturn s.RegisterService(\"shop.service\", m)\n}\n")
		}},
		{"a removed module", func() {
			if err := os.RemoveAll(filepath.Join(dir, "modules", "standard", "third")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		c.change()
		step(c.name, false, false)
		step(c.name+", then nothing", true, true)
	}
	// The changes are ones that change the findings, not only the keys.
	if len(seen) < 3 {
		t.Errorf("the changes gave %d different sets of findings; want at least 3:\n%v", len(seen), seen)
	}
}

// TestTreeTrustsAnUnchangedState: a file whose state is as the last memo
// recorded it keeps its digest without being read; one rewritten in place
// with its size and modification time restored is read again (its change
// time moved).
func TestTreeTrustsAnUnchangedState(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.go"), filepath.Join(dir, "b.go")
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, []byte("package p // "+filepath.Base(f)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond) // the files' change time before the scan's
	first, err := scanTreeWindow(dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.data) != 2 {
		t.Fatalf("first scan read %d files; want 2", len(first.data))
	}
	memo := newKeysMemo(first, map[string]string{}, nil, nil, nil)
	second, err := scanTreeWindow(dir, memo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.data) != 0 || !memo.matches(second) {
		t.Errorf("unchanged files: %d read, memo matches %v; want none read and a match", len(second.data), memo.matches(second))
	}
	st, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a, []byte("package q // a.go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(a, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	third, err := scanTreeWindow(dir, memo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, read := third.data[a]; !read || len(third.data) != 1 {
		t.Errorf("after rewriting a.go in place: read %v; want a.go alone", sortedNames(third.data))
	}
	if memo.matches(third) {
		t.Error("the memo matches a tree with a.go rewritten")
	}
	// Within the window, nothing is trusted.
	if racy, err := scanTreeWindow(dir, memo, time.Hour); err != nil || len(racy.data) != 2 {
		t.Errorf("a memo made moments after the files changed: %d read (%v); want both", len(racy.data), err)
	}
}

func sortedNames(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, filepath.Base(k))
	}
	sort.Strings(out)
	return out
}

// TestMemoFileTable: the memo's table of files reads back as written,
// whatever the digests look like, and a table cut short or extended does
// not read.
func TestMemoFileTable(t *testing.T) {
	files := map[string]string{
		"/w/modules/standard/a/a.go":      contentDigest([]byte("a")),
		"/w/modules/standard/a/b.go":      contentDigest([]byte("b")),
		"/w/modules/standard/ab/x.go":     "unreadable",
		"/w/go.sum":                       "",
		"/elsewhere/framework/service.go": strings.ToUpper(contentDigest(nil))[:10],
	}
	stats := map[string]fileStat{}
	i := int64(0)
	for n := range files {
		i++
		stats[n] = fileStat{Size: i * 1000, Mtime: -i, Ctime: 1 << 60, Ino: uint64(i) << 40, Dev: 7}
	}
	table := encodeFiles(files, stats)
	gotFiles, gotStats, ok := decodeFiles(table)
	if !ok || !reflect.DeepEqual(gotFiles, files) || !reflect.DeepEqual(gotStats, stats) {
		t.Fatalf("read back (%v):\n%v\n%v\nwant\n%v\n%v", ok, gotFiles, gotStats, files, stats)
	}
	for _, bad := range [][]byte{table[:len(table)-1], table[:len(table)/2], append(slices.Clone(table), 0), nil} {
		if _, _, ok := decodeFiles(bad); ok {
			t.Errorf("a table of %d bytes (of %d) read", len(bad), len(table))
		}
	}
	if f, s, ok := decodeFiles(encodeFiles(nil, nil)); !ok || len(f)+len(s) != 0 {
		t.Errorf("the empty table: %v %v %v", f, s, ok)
	}
}
