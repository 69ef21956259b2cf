package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/txtar"

	"github.com/modls/modls/checker/cachetest"
)

// repoRoot is the root of this repository, which test workspaces use as
// the framework through a replace directive.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeWorkspace writes a txtar archive into a temporary directory, with a
// go.mod that requires the framework from this repository.
func writeWorkspace(t testing.TB, archive string) string {
	t.Helper()
	dir := t.TempDir()
	root := repoRoot(t)
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := modfile.Parse("go.mod", rootMod, nil)
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/shop\n\ngo 1.26.0\n\nrequire github.com/modls/modls v0.0.0\n\nrequire (\n"
	for _, r := range mf.Require {
		gomod += "\t" + r.Mod.Path + " " + r.Mod.Version + " // indirect\n"
	}
	gomod += ")\n\nreplace github.com/modls/modls => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum}
	for _, f := range txtar.Parse([]byte(archive)).Files {
		files[f.Name] = f.Data
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const shop = `
-- modules/standard/shop/manifest.json --
{"name": "standard.shop", "version": "1.0.0", "description": "a shop", "features": [], "dependencies": [], "services": ["shop.service"]}
-- modules/standard/shop/module.go --
package shop

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ svc Service }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("shop.service", &m.svc, framework.ServiceMethod{Name: "Buy", Description: "buys", Returns: "error",
		Params: []framework.Param{{Name: "ctx", Type: "context.Context"}}})
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
-- modules/standard/shop/service.go --
package shop

import "context"

type Service struct{}

func (s *Service) Buy(ctx context.Context) error { return nil }

func (s *Service) Sell(ctx context.Context) error { return nil }

//modls:ignore MOD002 kept for the old API, documented in its own service
func (s *Service) Trade(ctx context.Context) error { return nil }

func (s *Service) Swap(ctx context.Context) error { return nil } //modls:ignore MOD002

//modls:ignore MOD002 nothing here to suppress
var x = 1
-- modules/standard/shop/service_test.go --
package shop

var _ = []any{(*Service).Buy, (*Service).Sell, (*Service).Trade, (*Service).Swap}
-- notmodule/notmodule.go --
package notmodule

func Hello() string { return "hello" }
`

// check runs Check in dir. Without opts.Cache, it uses a cache of the
// test's own that holds only the recorded types of the framework and the
// standard library (seeded), so the packages of dir are checked from
// source and their dependencies are not.
func check(t *testing.T, dir string, opts Options) *Result {
	t.Helper()
	opts.Dir = dir
	if opts.Cache == nil {
		opts.Cache = seeded(t)
	}
	res, err := Check(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// seeded opens a cache of the test's own made by cachetest.Seeded.
func seeded(t *testing.T) *Cache {
	t.Helper()
	c, err := OpenCache(cachetest.Seeded(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func lines(dir string, ds []Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Relative(dir).String())
	}
	return out
}

func TestCheckFindingsAndSuppressions(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	res := check(t, dir, Options{})
	got := strings.Join(lines(dir, res.Diagnostics), "\n")
	want := strings.Join([]string{
		"modules/standard/shop/service.go:9:19: MOD002 exported method Sell has no ServiceMethod entry",
		"modules/standard/shop/service.go:14:66: suppression modls:ignore MOD002 gives no reason; say why the finding does not apply",
		"modules/standard/shop/service.go:16:1: suppression modls:ignore MOD002 suppresses nothing on this line or the next; remove it",
	}, "\n")
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if res.Packages != 2 {
		t.Errorf("checked %d packages, want 2", res.Packages)
	}
	d := res.Diagnostics[0]
	if d.Severity != "error" || d.URL == "" || len(d.Fixes) != 1 || !d.Fixes[0].Safe || len(d.Related) != 1 {
		t.Errorf("diagnostic details: %+v", d)
	}
}

func TestCheckConfigDisablesAndGrades(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	cfg, err := ParseConfig("modls.json", []byte(`{"rules": {"MOD002": "warning"}}`))
	if err != nil {
		t.Fatal(err)
	}
	res := check(t, dir, Options{Config: cfg})
	if len(res.Diagnostics) == 0 || res.Diagnostics[0].Severity != "warning" {
		t.Fatalf("severity not applied: %v", res.Diagnostics)
	}
	cfg, err = ParseConfig("modls.json", []byte(`{"rules": {"MOD002": "off"}}`))
	if err != nil {
		t.Fatal(err)
	}
	res = check(t, dir, Options{Config: cfg})
	// What is left: the directive without a reason, which is a problem
	// whether or not its rule runs.
	if got, want := strings.Join(lines(dir, res.Diagnostics), "\n"), "modules/standard/shop/service.go:14:66: suppression modls:ignore MOD002 gives no reason; say why the finding does not apply"; got != want {
		t.Errorf("with MOD002 off:\n%s\nwant:\n%s", got, want)
	}
	for _, d := range res.Diagnostics {
		if d.Rule == "MOD002" {
			t.Errorf("disabled rule reported: %v", d)
		}
		if d.Rule == RuleSuppression && strings.Contains(d.Message, "suppresses nothing") {
			t.Errorf("a directive for a disabled rule was reported unused: %v", d)
		}
	}
}

func TestCheckCache(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	cache := seeded(t)
	first := check(t, dir, Options{Cache: cache})
	if first.Cached != 0 {
		t.Errorf("cold run answered %d packages from the cache", first.Cached)
	}
	second := check(t, dir, Options{Cache: cache})
	if second.Cached != second.Packages {
		t.Errorf("warm run: %d of %d packages cached", second.Cached, second.Packages)
	}
	if strings.Join(lines(dir, first.Diagnostics), "\n") != strings.Join(lines(dir, second.Diagnostics), "\n") {
		t.Errorf("cached findings differ:\n%v\n%v", first.Diagnostics, second.Diagnostics)
	}
	// Editing one package misses for it alone.
	svc := filepath.Join(dir, "modules/standard/shop/service.go")
	data, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(svc, append(data, []byte("\nfunc (s *Service) Lend(ctx context.Context) error { return nil }\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	third := check(t, dir, Options{Cache: cache})
	if third.Cached != third.Packages-1 {
		t.Errorf("after an edit: %d of %d cached, want all but one", third.Cached, third.Packages)
	}
	if !strings.Contains(strings.Join(lines(dir, third.Diagnostics), "\n"), "Lend has no ServiceMethod entry") {
		t.Errorf("the edit's finding is missing: %v", third.Diagnostics)
	}
	// An overlay is what gets checked, not the disk.
	overlay := map[string][]byte{svc: data}
	fourth := check(t, dir, Options{Cache: cache, Overlay: overlay})
	if got := strings.Join(lines(dir, fourth.Diagnostics), "\n"); strings.Contains(got, "Lend") || !strings.Contains(got, "Sell has no ServiceMethod entry") {
		t.Errorf("the overlay was not what got checked:\n%s", got)
	}
}

func TestCheckBadInput(t *testing.T) {
	t.Parallel()
	big := new(strings.Builder)
	big.WriteString("package shop\n\n// Code generated by a tool. DO NOT EDIT.\n\nvar table = []string{\n")
	for big.Len() < 5<<20 {
		big.WriteString("\t\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\n")
	}
	big.WriteString("}\n")
	dir := writeWorkspace(t, shop+`
-- modules/standard/shop/broken.go --
package shop

func broken( {
-- modules/standard/shop/latin1.go --
package shop

var name = "caf`+"\xe9"+`"
-- modules/standard/other/manifest.json --
{"name": "standard.other", this is not JSON
-- modules/standard/other/other.go --
package other
`)
	if err := os.WriteFile(filepath.Join(dir, "modules/standard/shop/table.go"), []byte(big.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "modules/standard/shop/loop")); err != nil {
		t.Fatal(err)
	}
	res := check(t, dir, Options{})
	got := strings.Join(lines(dir, res.Diagnostics), "\n")
	for _, want := range []string{
		"modules/standard/shop/broken.go:3:14: compile expected ')', found '{'",
		"modules/standard/shop/latin1.go:3:16: compile illegal UTF-8 encoding",
		"MOD002 exported method Sell has no ServiceMethod entry", // the other files are still checked
		// The broken manifest, at the JSON position where it stops being JSON.
		"modules/standard/other/manifest.json:1:28: MOD012 manifest.json is not valid JSON: invalid character 't' looking for beginning of object key string",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, file := range []string{"broken.go", "other/manifest.json"} {
		if n := strings.Count(got, file); n != 1 {
			t.Errorf("%s reported %d times, want once:\n%s", file, n, got)
		}
	}
}

func TestCheckLoadErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		dir, pattern, want string
	}{
		"no go.mod":         {t.TempDir(), "./...", "no go.mod"},
		"missing directory": {writeWorkspace(t, shop), "./nowhere/...", "nowhere"},
	} {
		_, err := Check(context.Background(), Options{Dir: tc.dir, Patterns: []string{tc.pattern}})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line containing %q", name, err, tc.want)
		}
	}
}

func TestGroupPatterns(t *testing.T) {
	t.Parallel()
	outer := writeWorkspace(t, shop)
	inner := filepath.Join(outer, "nested")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inner, "go.mod"), []byte("module example.com/nested\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	groups, err := groupPatterns(outer, []string{"./...", "./nested/...", "./modules/standard/shop", "example.com/shop/notmodule"})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].root != outer || groups[1].root != inner {
		t.Fatalf("groups = %+v", groups)
	}
	if got := strings.Join(groups[0].patterns, " "); got != "./... ./modules/standard/shop example.com/shop/notmodule" {
		t.Errorf("outer patterns = %s", got)
	}
	if got := strings.Join(groups[1].patterns, " "); got != "./..." {
		t.Errorf("nested patterns = %s", got)
	}
}
