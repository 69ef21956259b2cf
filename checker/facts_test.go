package checker

import (
	"bytes"
	"context"
	"encoding/gob"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules"
)

// helperApp is an application whose module gives its SQL to a helper of
// another package of the Go module, outside every module: the helper is a
// SQL sink only through the facts its package's analysis exports.
const helperApp = `
-- internal/sqlx/sqlx.go --
// Package sqlx holds the application's database helpers.
package sqlx

import (
	"context"

	"github.com/modls/modls/framework"
)

// Exec runs q for its side effects.
func Exec(ctx context.Context, db *framework.DB, q string, args ...any) error {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	return rows.Close()
}
-- modules/standard/notes/manifest.json --
{"name": "standard.notes", "version": "1.0.0", "description": "notes", "features": ["database"], "dependencies": [], "services": ["notes.service"]}
-- modules/standard/notes/module.go --
package notes

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"

	"example.com/shop/internal/sqlx"
)

//go:embed manifest.json
var manifest []byte

// Module is standard.notes.
type Module struct{ db *framework.DB }

// Manifest returns the module's manifest.
func (m *Module) Manifest() []byte { return manifest }

// Setup declares the schema and the service.
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.Migrate("CREATE TABLE notes_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		return err
	}
	return s.RegisterService("notes.service", &Service{}, framework.ServiceMethod{Name: "Ping", Description: "Ping answers.", Returns: "error"})
}

// Start opens the database.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}

func (m *Module) add(ctx context.Context, body string) error {
	return sqlx.Exec(ctx, m.db, "INSERT INTO notes_itemz (body) VALUES (?)", body)
}

// Service is the notes service.
type Service struct{}

// Ping answers.
func (s *Service) Ping() error { return nil }
-- modules/standard/notes/module_test.go --
package notes

import "testing"

func TestPing(t *testing.T) { (&Service{}).Ping() }
`

// sqlFindings lists the MOD005 and MOD006 findings as "rule line message".
func sqlFindings(ds []Diagnostic) string {
	var out []string
	for _, d := range ds {
		if d.Rule == "MOD005" || d.Rule == "MOD006" {
			out = append(out, d.Rule+" "+filepath.Base(d.File)+":"+strconv.Itoa(d.Line)+" "+d.Message)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

const wantHelperFindings = "MOD005 module.go:36 database write (INSERT) through Exec → DB.Query outside an IntegritySession\n" +
	"MOD006 module.go:36 no such table: notes_itemz"

// TestFactsAcrossPackages checks that the facts of a package reach the
// packages importing it in every way a check can get them: from the same
// run, from the cache, by checking a package that is not a root for its
// facts alone, and in a language-server session, where an edit to the
// helper changes them.
func TestFactsAcrossPackages(t *testing.T) {
	dir := writeWorkspace(t, helperApp)
	ctx := context.Background()
	cache := seeded(t)
	for _, run := range []struct {
		name     string
		patterns []string
		cache    *Cache
	}{
		{"every package, cold", []string{"./..."}, cache},
		{"every package, warm", []string{"./..."}, cache},
		{"the module alone, another cache", []string{"./modules/..."}, seeded(t)},
	} {
		res, err := Check(ctx, Options{Dir: dir, Patterns: run.patterns, Cache: run.cache})
		if err != nil {
			t.Fatal(err)
		}
		if got := sqlFindings(res.Diagnostics); got != wantHelperFindings {
			t.Errorf("%s: got\n%s\nwant\n%s", run.name, got, wantHelperFindings)
		}
	}
	// The module changed, the helper did not: the helper's facts come from
	// the cache without checking it.
	mod := filepath.Join(dir, "modules/standard/notes/module.go")
	data, _ := os.ReadFile(mod)
	edited := strings.Replace(string(data), "// Service is the notes service.", "// Service is the service of notes.", 1)
	res, err := Check(ctx, Options{Dir: dir, Patterns: []string{"./modules/..."}, Cache: cache, Overlay: map[string][]byte{mod: []byte(edited)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlFindings(res.Diagnostics); got != wantHelperFindings || res.Cached != 0 {
		t.Errorf("module edited: %d cached, got\n%s", res.Cached, got)
	}

	t.Setenv("MODLS_CACHE", filepath.Join(t.TempDir(), "session.db"))
	s, err := NewSession(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds, err := s.CheckFile(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlFindings(ds[mod]); got != wantHelperFindings {
		t.Errorf("session: got\n%s\nwant\n%s", got, wantHelperFindings)
	}
	// The helper stops passing its parameter on: it is no longer a sink,
	// and the module's call is no longer SQL.
	helper := filepath.Join(dir, "internal/sqlx/sqlx.go")
	hdata, _ := os.ReadFile(helper)
	s.SetOverlay(helper, []byte(strings.Replace(string(hdata), "db.Query(ctx, q, args...)", `db.Query(ctx, "SELECT 1")`, 1)))
	ds, err = s.CheckFile(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlFindings(ds[mod]); got != "" {
		t.Errorf("session, after the helper changed: %s", got)
	}
}

// TestFactsEncode checks that every fact type of every rule survives the
// encoding facts travel in between packages (and go vet's).
func TestFactsEncode(t *testing.T) {
	for _, r := range rules.All() {
		for _, a := range append([]*analysis.Analyzer{r.Analyzer}, r.Analyzer.Requires...) {
			for _, ft := range a.FactTypes {
				fact := reflect.New(reflect.TypeOf(ft).Elem()).Interface().(analysis.Fact)
				var b bytes.Buffer
				if err := gob.NewEncoder(&b).Encode(fact); err != nil {
					t.Errorf("%s: fact %T: %v", a.Name, fact, err)
				}
			}
		}
	}
}

// xtestApp is a module whose external test imports a helper package that
// imports the module: the helper's facts wait for the module's, so the
// module's external test must not be waited for with them.
const xtestApp = helperApp + `
-- internal/boot/boot.go --
// Package boot starts the application's modules for tests.
package boot

import "example.com/shop/modules/standard/notes"

// Modules returns the modules.
func Modules() []any { return []any{&notes.Module{}} }
-- modules/standard/notes/notes_ext_test.go --
package notes_test

import (
	"testing"

	"example.com/shop/internal/boot"
)

func TestBoot(t *testing.T) {
	if len(boot.Modules()) != 1 {
		t.Fatal("no module")
	}
}
`

func TestFactsWithExternalTestCycle(t *testing.T) {
	dir := writeWorkspace(t, xtestApp)
	done := make(chan error, 1)
	cache := seeded(t)
	go func() {
		res, err := Check(context.Background(), Options{Dir: dir, Patterns: []string{"./..."}, Cache: cache})
		if err == nil && sqlFindings(res.Diagnostics) != wantHelperFindings {
			t.Errorf("got\n%s", sqlFindings(res.Diagnostics))
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Minute):
		t.Fatal("the check did not finish: packages wait for each other's facts")
	}
}
