package workspace

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/tools/txtar"
)

// loadTree writes the archive's files to a temporary directory and loads
// the workspace there.
func loadTree(t *testing.T, archive string) (string, *Workspace) {
	t.Helper()
	root := writeTree(t, archive)
	w, err := Load(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	return root, w
}

// writeTree writes a txtar archive into a new temporary directory.
func writeTree(t *testing.T, archive string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const tree = `
-- go.mod --
module example.com/shop
-- app/modules/standard/audit/manifest.json --
{
  "name": "standard.audit",
  "version": "1.0.0",
  "description": "audit runs",
  "features": ["api", "database"],
  "dependencies": [],
  "services": ["audit.service"]
}
-- app/modules/standard/audit/module.go --
package audit

const table = "audit_runs"
const create = "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY)"

func (m *Module) Setup(s *framework.Setup) error {
	s.Migrate(create, ` + "`CREATE INDEX audit_i ON audit_runs(id)`" + `)
	return s.RegisterService("audit.service", m, framework.ServiceMethod{Name: "A"}, framework.ServiceMethod{Name: "B"})
}
-- app/modules/standard/audit/contract/contract.go --
package contract
-- app/modules/standard/analytics/manifest.json --
{"name": "standard.analytics", "version": "1.0.0", "dependencies": ["standard.audit", "standard.loop"], "services": []}
-- app/modules/standard/analytics/module.go --
package analytics

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	a, err := framework.Service[contract.Auditor](app, "audit.service")
	_ = a
	return err
}
-- app/modules/standard/loop/manifest.json --
{"name": "standard.loop", "version": "1.0.0", "dependencies": ["standard.analytics"]}
-- app/modules/standard/broken/manifest.json --
{"name": "standard.broken",
-- app/modules/standard/nomanifest/x.go --
package nomanifest
-- app/modules/standard/empty/README --
not a module
-- other/go.mod --
module example.com/other
-- other/modules/standard/hidden/manifest.json --
{"name": "standard.hidden"}
-- app/modules/standard/audit/testdata/modules/x/y/manifest.json --
{}
`

func TestLoad(t *testing.T) {
	root, w := loadTree(t, tree)
	if w.ModulePath != "example.com/shop" || len(w.Apps) != 1 {
		t.Fatalf("module path %q, %d apps", w.ModulePath, len(w.Apps))
	}
	var names []string
	for _, m := range w.Modules() {
		names = append(names, m.Name())
	}
	want := []string{"standard.analytics", "standard.audit", "standard.broken", "standard.loop", "standard.nomanifest"}
	if !slices.Equal(names, want) {
		t.Fatalf("modules = %v, want %v", names, want)
	}
	app := w.Apps[0]
	audit := app.ByName("standard.audit")
	if audit.ImportPath != "example.com/shop/app/modules/standard/audit" {
		t.Errorf("import path = %s", audit.ImportPath)
	}
	if len(audit.Files) != 2 {
		t.Errorf("audit files = %v", audit.Files)
	}
	if len(audit.Registrations) != 1 || audit.Registrations[0].Service != "audit.service" || audit.Registrations[0].Methods != 2 || audit.Registrations[0].Pos.Line != 8 {
		t.Errorf("registrations = %+v", audit.Registrations)
	}
	if len(audit.Migrations) != 2 || audit.Migrations[0].SQL != "CREATE TABLE audit_runs (id INTEGER PRIMARY KEY)" {
		t.Errorf("migrations = %+v", audit.Migrations)
	}
	analytics := app.ByName("standard.analytics")
	if len(analytics.Lookups) != 1 || analytics.Lookups[0].Service != "audit.service" {
		t.Errorf("lookups = %+v", analytics.Lookups)
	}
	if p := app.Providers("audit.service"); len(p) != 1 || p[0] != audit {
		t.Errorf("providers = %v", p)
	}
	if c := analytics.DependencyCycle(); !slices.Equal(c, []string{"standard.analytics", "standard.loop", "standard.analytics"}) {
		t.Errorf("cycle = %v", c)
	}
	if c := audit.DependencyCycle(); c != nil {
		t.Errorf("audit cycle = %v", c)
	}
	if !analytics.Declares("standard.audit") || !analytics.Declares("core.database") || analytics.Declares("standard.broken") {
		t.Error("Declares is wrong")
	}
	var se *SyntaxError
	if broken := app.ByName("standard.broken"); !errors.As(broken.ManifestErr, &se) || se.At.Line != 2 {
		t.Errorf("broken manifest err = %v", broken.ManifestErr)
	}
	if nm := app.ByName("standard.nomanifest"); !errors.Is(nm.ManifestErr, fs.ErrNotExist) {
		t.Errorf("missing manifest err = %v", nm.ManifestErr)
	}
	if got := w.Module(filepath.Join(audit.Dir, "contract")); got != audit {
		t.Errorf("Module(contract dir) = %v", got)
	}
	if got := w.Module(root); got != nil {
		t.Errorf("Module(root) = %v", got)
	}
}

func TestLoadOverlay(t *testing.T) {
	root := writeTree(t, tree)
	dir := filepath.Join(root, "app/modules/standard/analytics")
	ov := Overlay{
		filepath.Join(dir, "manifest.json"): []byte(`{"name": "standard.analytics", "dependencies": []}`),
		filepath.Join(dir, "new.go"):        []byte("package analytics\nfunc f(s *framework.Setup) { s.RegisterService(\"analytics.service\", nil) }\n"),
	}
	w, err := Load(root, ov)
	if err != nil {
		t.Fatal(err)
	}
	m := w.Apps[0].ByName("standard.analytics")
	if len(m.Manifest.Dependencies) != 0 || len(m.Registrations) != 1 || m.Registrations[0].Methods != 0 {
		t.Errorf("overlay not used: deps %v registrations %+v", m.Manifest.Dependencies, m.Registrations)
	}
}

func TestLoadSymlinkLoop(t *testing.T) {
	root := writeTree(t, tree)
	if err := os.Symlink(root, filepath.Join(root, "app/modules/standard/audit/loop")); err != nil {
		t.Fatal(err)
	}
	w, err := Load(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The loop is not followed: each module is found once, in its place.
	var names []string
	for _, m := range w.Modules() {
		names = append(names, m.Name())
	}
	if want := []string{"standard.analytics", "standard.audit", "standard.broken", "standard.loop", "standard.nomanifest"}; !slices.Equal(names, want) {
		t.Errorf("modules = %v, want %v", names, want)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir(), nil); err == nil {
		t.Error("Load without go.mod succeeded")
	}
	dir := writeTree(t, "-- go.mod --\ngo 1.26\n")
	if _, err := Load(dir, nil); err == nil {
		t.Error("Load with a go.mod without module path succeeded")
	}
	if _, err := FindRoot(t.TempDir()); err == nil {
		t.Error("FindRoot found a go.mod in an empty temp dir")
	}
	root := writeTree(t, tree)
	got, err := FindRoot(filepath.Join(root, "app/modules/standard/audit"))
	if err != nil || got != root {
		t.Errorf("FindRoot = %q, %v; want %q", got, err, root)
	}
}

func TestWithFile(t *testing.T) {
	root, w := loadTree(t, tree)
	dir := filepath.Join(root, "app/modules/standard/analytics")
	name := filepath.Join(dir, "module.go")
	ov := Overlay{name: []byte("package analytics\nfunc f(s *framework.Setup) { s.RegisterService(\"analytics.service\", nil) }\n")}
	nw, err := w.WithFile(name, ov)
	if err != nil {
		t.Fatal(err)
	}
	got := nw.Apps[0].ByName("standard.analytics")
	if len(got.Registrations) != 1 || len(got.Lookups) != 0 {
		t.Errorf("changed module: registrations %v lookups %v", got.Registrations, got.Lookups)
	}
	if p := nw.Apps[0].Providers("analytics.service"); len(p) != 1 || p[0] != got {
		t.Errorf("providers = %v", p)
	}
	if old := w.Apps[0].ByName("standard.analytics"); len(old.Lookups) != 1 {
		t.Error("the old model was modified")
	}
	if got.App != nw.Apps[0] || nw.Apps[0].ByName("standard.audit").App != nw.Apps[0] {
		t.Error("modules of the new model point at an old App")
	}
	if c := nw.Apps[0].ByName("standard.loop").DependencyCycle(); c == nil {
		t.Error("dependency graph lost")
	}
	same, err := w.WithFile(filepath.Join(root, "README.md"), nil)
	if err != nil || same != w {
		t.Errorf("a file outside every module changed the model: %v", err)
	}
	// A new module appears with its manifest.
	newMan := filepath.Join(root, "app/modules/standard/fresh/manifest.json")
	nw2, err := w.WithFile(newMan, Overlay{newMan: []byte(`{"name": "standard.fresh"}`)})
	if err != nil || nw2.Apps[0].ByName("standard.fresh") == nil {
		t.Errorf("new module not found: %v", err)
	}
}

const constTree = `
-- go.mod --
module example.com/shop
-- names/names.go --
package names

// Prefix is shared by every service name of the application.
const Prefix = "ledger"
-- modules/standard/ledger/manifest.json --
{"name": "standard.ledger", "version": "1.0.0"}
-- modules/standard/ledger/contract/contract.go --
package contract

import "example.com/shop/names"

type ServiceID string

// ServiceName is the name the ledger registers its service under.
const ServiceName ServiceID = names.Prefix + ".entries"

const (
	kindA = iota
	kindB
)

const Table = "ledger_entries"
-- modules/standard/ledger/schema.go --
package ledger

import (
	"fmt"

	"example.com/shop/modules/standard/ledger/contract"
)

const createEntries = "CREATE TABLE " + contract.Table + " (id INTEGER PRIMARY KEY, amount INTEGER)"

var createIndex = "CREATE INDEX i ON " + contract.Table + " (amount)"

func schema(s *framework.Setup) {
	s.Migrate(createEntries, createIndex)
	s.Migrate(fmt.Sprintf("CREATE TABLE %s_x (id)", contract.Table))
}
-- modules/standard/ledger/module.go --
package ledger

import "example.com/shop/modules/standard/ledger/contract"

func (m *Module) Setup(s *framework.Setup) error {
	schema(s)
	const local = "ledger.local"
	if err := s.RegisterService(local, m); err != nil {
		return err
	}
	name := string(contract.ServiceName)
	s.RegisterService(name, m)
	return s.RegisterService(string(contract.ServiceName), m, framework.ServiceMethod{Name: "A"})
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	var n int
	return app.DB().QueryRow(ctx, "SELECT count(*) FROM "+contract.Table).Scan(&n)
}
-- modules/standard/ledger/ignored.go --
//go:build ignore

package main

func f(s *framework.Setup) { s.RegisterService("never.built", nil) }
-- modules/standard/audit/manifest.json --
{"name": "standard.audit", "version": "1.0.0", "dependencies": ["standard.ledger"]}
-- modules/standard/audit/module.go --
package audit

import ledger "example.com/shop/modules/standard/ledger/contract"

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, string(ledger.ServiceName))
	_, err = framework.Service[any](app, m.target)
	return err
}
`

// TestConstants checks that the model takes its facts from constants
// wherever they are declared, and records what is not constant as such.
func TestConstants(t *testing.T) {
	root, w := loadTree(t, constTree)
	ledger := w.Apps[0].ByName("standard.ledger")
	var regs []string
	for _, r := range ledger.Registrations {
		regs = append(regs, r.Service)
	}
	if !slices.Equal(regs, []string{"ledger.local", "ledger.entries"}) {
		t.Errorf("registrations = %v", regs)
	}
	if len(ledger.Migrations) != 1 || ledger.Migrations[0].SQL != "CREATE TABLE ledger_entries (id INTEGER PRIMARY KEY, amount INTEGER)" {
		t.Errorf("migrations = %+v", ledger.Migrations)
	}
	if len(ledger.Queries) != 1 || ledger.Queries[0].SQL != "SELECT count(*) FROM ledger_entries" {
		t.Errorf("queries = %+v", ledger.Queries)
	}
	var nonConst []string
	for _, n := range ledger.NonConstant {
		nonConst = append(nonConst, fmt.Sprintf("%s %s:%d", n.What, filepath.Base(n.Pos.Filename), n.Pos.Line))
	}
	if want := []string{"registration module.go:12", "migration schema.go:14", "migration schema.go:15"}; !slices.Equal(nonConst, want) {
		t.Errorf("non-constant = %v, want %v", nonConst, want)
	}
	audit := w.Apps[0].ByName("standard.audit")
	if len(audit.Lookups) != 1 || audit.Lookups[0].Service != "ledger.entries" || len(audit.NonConstant) != 1 || audit.NonConstant[0].What != "lookup" {
		t.Errorf("audit lookups %+v, non-constant %+v", audit.Lookups, audit.NonConstant)
	}
	if p := w.Apps[0].Providers("ledger.entries"); len(p) != 1 || p[0] != ledger {
		t.Errorf("providers = %v", p)
	}

	// A change to the contract's constant reaches the module that looks
	// the service up through it.
	contract := filepath.Join(ledger.Dir, "contract", "contract.go")
	data, _ := os.ReadFile(contract)
	ov := Overlay{contract: bytes.Replace(data, []byte(`".entries"`), []byte(`".lines"`), 1)}
	nw, err := w.WithFile(contract, ov)
	if err != nil {
		t.Fatal(err)
	}
	if got := nw.Apps[0].ByName("standard.audit").Lookups; len(got) != 1 || got[0].Service != "ledger.lines" {
		t.Errorf("after the contract changed, audit looks up %+v", got)
	}
	if got := nw.Apps[0].ByName("standard.ledger").Registrations; len(got) != 2 || got[1].Service != "ledger.lines" {
		t.Errorf("after the contract changed, ledger registers %+v", got)
	}
	// A change to a package outside every module reaches the modules
	// whose constants it declares.
	names := filepath.Join(root, "names", "names.go")
	nw2, err := w.WithFile(names, Overlay{names: []byte("package names\n\nconst Prefix = \"books\"\n")})
	if err != nil {
		t.Fatal(err)
	}
	if got := nw2.Apps[0].ByName("standard.audit").Lookups; len(got) != 1 || got[0].Service != "books.entries" {
		t.Errorf("after names changed, audit looks up %+v", got)
	}
}

// TestBrokenFiles checks that files an editor holds half-typed, down to a
// broken package clause, leave the model buildable.
func TestBrokenFiles(t *testing.T) {
	root, w := loadTree(t, constTree)
	name := filepath.Join(root, "modules/standard/ledger/module.go")
	data, _ := os.ReadFile(name)
	for _, text := range []string{
		"😀" + string(data),
		"pack age ledger\n",
		"",
		string(data[:len(data)/2]),
		"package ledger\n\nfunc (m *Module) Setup(s *framework.Setup) error {\n\treturn s.RegisterService(contract.",
	} {
		if _, err := w.WithFile(name, Overlay{name: []byte(text)}); err != nil {
			t.Errorf("%q: %v", text[:min(len(text), 20)], err)
		}
		if _, err := Load(root, Overlay{name: []byte(text)}); err != nil {
			t.Errorf("%q: %v", text[:min(len(text), 20)], err)
		}
	}
}

// TestBuildableFile checks the files the model reads against what the go
// command builds on linux, the quick answer for a plain file
// included.
func TestBuildableFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the cases name linux")
	}
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"module.go", "package m\n", true},
		{"ignored.go", "//go:build ignore\n\npackage m\n", false},
		{"tagged.go", "//go:build integration\n\npackage m\n", false},
		{"linux.go", "//go:build linux\n\npackage m\n", true},
		{"old.go", "// +build ignore\n\npackage m\n", false},
		{"x_windows.go", "package m\n", false},
		{"x_linux.go", "package m\n", true},
		{"store_helpers.go", "package m\n", true},
		{"_draft.go", "package m\n", false},
		{".swap.go", "package m\n", false},
	} {
		if got := buildableFile(filepath.Join("/app/modules/standard/m", tc.name), []byte(tc.src)); got != tc.want {
			t.Errorf("%s: buildable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// partialTree has registrations whose reading needs the package's other
// files: a name declared in another file, and a file of another package
// ahead of the one that registers.
const partialTree = `
-- go.mod --
module example.com/shop
-- modules/standard/names/manifest.json --
{"name": "standard.names", "version": "1.0.0"}
-- modules/standard/names/module.go --
package names

func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService(serviceName, m)
}
-- modules/standard/names/names.go --
package names

const serviceName = "names." + "service"
-- modules/standard/mixed/manifest.json --
{"name": "standard.mixed", "version": "1.0.0"}
-- modules/standard/mixed/a.go --
package other
-- modules/standard/mixed/module.go --
package mixed

func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("mixed.service", m)
}
-- modules/standard/quiet/manifest.json --
{"name": "standard.quiet", "version": "1.0.0"}
-- modules/standard/quiet/module.go --
package quiet

// No RegisterService call here, only the word.
func (m *Module) Setup(s *framework.Setup) error {
	s.Migrate("CREATE TABLE q (id)")
	return nil
}
-- modules/standard/plain/manifest.json --
{"name": "standard.plain", "version": "1.0.0"}
-- modules/standard/plain/module.go --
package plain

func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("plain.service", m, framework.ServiceMethod{Name: "A"})
}
-- modules/standard/plain/store.go --
package plain

func (m *Module) count(db *framework.DB) { db.Exec("DELETE FROM t") }
-- modules/standard/plain/contract/contract.go --
package contract

type Plain interface{ A() }
`

// TestLoadFor checks that a module read in part has the manifest and the
// registrations a full read gives it, for every module of the example
// applications and of trees where the registrations need more than the
// files that spell RegisterService; that a module read in full is
// unchanged; and that reading in part parses fewer files.
func TestLoadFor(t *testing.T) {
	// The repository's root holds examples/app; examples/violations is a
	// Go module of its own.
	roots := []string{writeTree(t, tree), writeTree(t, constTree), writeTree(t, partialTree), "..", filepath.Join("..", "examples", "violations")}
	summary := func(m *Module, all bool) string {
		s := fmt.Sprintf("%s %s %v %q %+v\n", m.Dir, m.Name(), m.ManifestErr, m.ManifestData, m.Manifest)
		for _, r := range m.Registrations {
			s += fmt.Sprintf("reg %+v\n", r)
		}
		for _, n := range m.NonConstant {
			if all || n.What == "registration" {
				s += fmt.Sprintf("non-constant %+v\n", n)
			}
		}
		if all {
			s += fmt.Sprintf("%+v %+v %+v\n", m.Lookups, m.Migrations, m.Queries)
		}
		return s
	}
	for _, root := range roots {
		DropParses()
		whole, err := Load(root, nil)
		if err != nil {
			t.Fatal(err)
		}
		wholeParses := currentGeneration().size()
		for _, m := range whole.Modules() {
			if m.Partial {
				t.Errorf("%s: read in full, but Partial is set", m.Dir)
			}
		}
		mods := whole.Modules()
		if len(mods) == 0 {
			t.Fatalf("%s: no modules", root)
		}
		chosen := mods[len(mods)-1].Dir
		DropParses()
		var listed atomic.Int64
		part, err := LoadFor(root, nil, LoadOptions{
			Full: func(dir string) bool { return dir == chosen },
			ReadDir: func(dir string) ([]fs.DirEntry, error) {
				listed.Add(1)
				return os.ReadDir(dir)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if listed.Load() == 0 {
			t.Errorf("%s: ReadDir not used", root)
		}
		partParses := currentGeneration().size()
		if got, want := len(part.Modules()), len(mods); got != want {
			t.Fatalf("%s: %d modules read in part, %d in full", root, got, want)
		}
		for i, m := range part.Modules() {
			full := m.Dir == chosen
			if m.Partial == full {
				t.Errorf("%s: Partial = %v", m.Dir, m.Partial)
			}
			if got, want := summary(m, full), summary(mods[i], full); got != want {
				t.Errorf("read in part (full: %v):\n%s\nread in full:\n%s", full, got, want)
			}
		}
		// Completed: the first module read in full as well, the others
		// shared; the model completed is as it was.
		first := mods[0].Dir
		done, err := part.Complete(func(dir string) bool { return dir == first }, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range done.Modules() {
			full := m.Dir == chosen || m.Dir == first
			if m.Partial == full {
				t.Errorf("completed: %s: Partial = %v", m.Dir, m.Partial)
			}
			if got, want := summary(m, full), summary(mods[i], full); got != want {
				t.Errorf("completed (full: %v):\n%s\nread in full:\n%s", full, got, want)
			}
			if was := part.Modules()[i]; m.Dir != first && m.Gen != was.Gen {
				t.Errorf("completed: %s read again", m.Dir)
			}
			if m.App.ByName(m.Name()) != m && m.App.ByName(m.Name()).Dir == m.Dir || done.Module(m.Dir) != m {
				t.Errorf("completed: %s is not its application's", m.Dir)
			}
		}
		if first != chosen && !part.Module(first).Partial {
			t.Errorf("%s: Complete changed its receiver", root)
		}
		if all, err := done.Complete(func(string) bool { return true }, nil); err != nil || all.full != nil {
			t.Errorf("%s: every module completed: %v, the model still says some are read in part", root, err)
		}
		t.Logf("%s: %d modules, %d parses in part, %d in full", root, len(mods), partParses, wholeParses)
		if len(mods) > 2 && partParses >= wholeParses {
			t.Errorf("%s: %d parses read in part, %d in full", root, partParses, wholeParses)
		}
	}
}

// testRegMemo is a RegistrationMemo keyed by the files' contents.
type testRegMemo struct {
	mu   sync.Mutex
	seen map[string][]Call
	hits atomic.Int64
}

func (m *testRegMemo) key(dir string, files []string) string {
	k := dir
	for _, f := range files {
		data, _ := os.ReadFile(f)
		k += fmt.Sprintf("\n%s %x", f, sha256.Sum256(data))
	}
	return k
}

func (m *testRegMemo) Registrations(dir string, files []string) ([]Call, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	calls, ok := m.seen[m.key(dir, files)]
	if ok {
		m.hits.Add(1)
	}
	return calls, ok
}

func (m *testRegMemo) Read(dir string, files []string, calls []Call) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[m.key(dir, files)] = calls
}

// TestRegistrationMemo loads trees in part with a memo of registrations:
// the second load reads no Go file through ReadFile, and its model is the
// first's; a changed file has its package read again. A load in full
// records what a later load in part needs.
func TestRegistrationMemo(t *testing.T) {
	for _, root := range []string{writeTree(t, tree), writeTree(t, constTree), writeTree(t, partialTree), filepath.Join("..", "examples", "violations")} {
		memo := &testRegMemo{seen: map[string][]Call{}}
		var goReads atomic.Int64
		opts := LoadOptions{
			Full:          func(string) bool { return false },
			Registrations: memo,
			ReadFile: func(name string) ([]byte, error) {
				if filepath.Ext(name) == ".go" {
					goReads.Add(1)
				}
				return os.ReadFile(name)
			},
		}
		summary := func(w *Workspace) string {
			s := ""
			for _, m := range w.Modules() {
				s += fmt.Sprintf("%s %+v %+v\n", m.Dir, m.Registrations, m.NonConstant)
			}
			return s
		}
		DropParses()
		first, err := LoadFor(root, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		read := goReads.Load()
		if read == 0 {
			t.Fatalf("%s: no Go file read through ReadFile", root)
		}
		goReads.Store(0)
		DropParses()
		second, err := LoadFor(root, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		if summary(second) != summary(first) {
			t.Errorf("%s: with the memo\n%s\nwithout\n%s", root, summary(second), summary(first))
		}
		// Packages whose registrations need constants are parsed again.
		if n := goReads.Load(); n >= read || memo.hits.Load() == 0 {
			t.Errorf("%s: %d Go files read again of %d, %d packages from the memo", root, n, read, memo.hits.Load())
		}
		// Read in full, with a memo of its own: the load in part after it
		// finds what it needs there.
		full := &testRegMemo{seen: map[string][]Call{}}
		o := opts
		o.Full, o.Registrations = nil, full
		if _, err := LoadFor(root, nil, o); err != nil {
			t.Fatal(err)
		}
		o.Full = opts.Full
		goReads.Store(0)
		if w, err := LoadFor(root, nil, o); err != nil || summary(w) != summary(first) || goReads.Load() >= read {
			t.Errorf("%s: after a load in full, %d Go files read of %d (%v)", root, goReads.Load(), read, err)
		}
	}
}
