package checker

import (
	"context"
	"fmt"
	"go/ast"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modls/modls/checker/cachetest"
)

func TestSession(t *testing.T) {
	cachePath := cachetest.Use(t)
	dir := writeWorkspace(t, shop)
	ctx := context.Background()
	s, err := NewSession(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc := filepath.Join(dir, "modules/standard/shop/service.go")
	ds, err := s.CheckFile(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(ds[svc]); !strings.Contains(got, "MOD002 exported method Sell") {
		t.Fatalf("first check: %s", got)
	}
	mod := filepath.Join(dir, "modules/standard/shop/module.go")
	if _, ok := ds[mod]; !ok {
		t.Errorf("a file without findings is missing from the result, so a client could not clear it")
	}
	// An unsaved edit is what gets checked.
	data, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "func (s *Service) Sell(", "func (s *Service) Vend(", 1)
	s.SetOverlay(svc, []byte(edited))
	ds, err = s.CheckFile(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	got := summarize(ds[svc])
	if !strings.Contains(got, "Vend has no ServiceMethod entry") || strings.Contains(got, "Sell") {
		t.Errorf("after the edit: %s", got)
	}
	// The manifest's findings come with its module's package.
	man := filepath.Join(dir, "modules/standard/shop/manifest.json")
	s.SetOverlay(man, []byte(`{"name": "standard.shop", "version": "one", "description": "a shop", "features": [], "dependencies": [], "services": ["shop.service"]}`))
	ds, err = s.CheckFile(ctx, man)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(ds[man]); !strings.Contains(got, "MOD012") || !strings.Contains(got, "version") {
		t.Errorf("manifest findings: %s", got)
	}
	s.SetOverlay(man, nil)
	ds, err = s.CheckFile(ctx, man)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := ds[man]; !ok || len(got) != 0 {
		t.Errorf("after forgetting the overlay the manifest has findings %q (listed: %v); want none, listed so a client clears them", summarize(got), ok)
	}
	// The session agrees with a batch check of the same text.
	res, err := Check(ctx, Options{Dir: dir, Patterns: []string{"./modules/standard/shop"}, Overlay: map[string][]byte{svc: []byte(edited)}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	var batch []string
	for _, d := range res.Diagnostics {
		batch = append(batch, d.String())
	}
	var all []Diagnostic
	for _, f := range ds {
		all = append(all, f...)
	}
	var session []string
	for _, d := range sortDiagnostics(all) {
		session = append(session, d.String())
	}
	if strings.Join(batch, "\n") != strings.Join(session, "\n") {
		t.Errorf("session and batch disagree:\nsession:\n%s\nbatch:\n%s", strings.Join(session, "\n"), strings.Join(batch, "\n"))
	}
	if files := s.PackageFiles(svc); len(files) < 3 {
		t.Errorf("PackageFiles = %v", files)
	}
	if aff := s.Affected(man); len(aff) == 0 {
		t.Errorf("a manifest change affects nothing")
	}
	if _, err := s.CheckFile(ctx, filepath.Join(dir, "nowhere", "x.go")); err == nil {
		t.Error("a file in no package was checked")
	}
	if st, err := os.Stat(cachePath); err != nil || st.Size() == 0 {
		t.Errorf("the session did not use the test's cache %s: %v", cachePath, err)
	}
}

func summarize(ds []Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Rule+" "+d.Message)
	}
	return strings.Join(out, "; ")
}

func BenchmarkSessionEdit(b *testing.B) {
	cachetest.Use(b)
	dir := writeWorkspace(b, shop)
	ctx := context.Background()
	s, err := NewSession(ctx, dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	svc := filepath.Join(dir, "modules/standard/shop/service.go")
	data, err := os.ReadFile(svc)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CheckFile(ctx, svc); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.SetOverlay(svc, append(append([]byte(nil), data...), []byte("\n// edit "+strings.Repeat("x", i%50)+"\n")...))
		if _, err := s.CheckFile(ctx, svc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSessionKeepsSyntax checks that a check after an edit of one file
// takes the other files' syntax from the check before (the same
// *ast.File), that their findings keep their positions, and that a file
// kept with a syntax error still reports it.
func TestSessionKeepsSyntax(t *testing.T) {
	dir, s := seededSession(t, shop)
	ctx := context.Background()
	svc := filepath.Join(dir, "modules/standard/shop/service.go")
	mod := filepath.Join(dir, "modules/standard/shop/module.go")
	before, err := s.CheckFile(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	kept := func(name string) *ast.File {
		s.syntax.mu.Lock()
		defer s.syntax.mu.Unlock()
		if p := s.syntax.files[name]; p != nil {
			return p.file
		}
		return nil
	}
	svcSyntax := kept(svc)
	if svcSyntax == nil {
		t.Fatal("the check kept no syntax of service.go")
	}
	data, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	s.SetOverlay(mod, append(data, "\n// an edit\n"...))
	after, err := s.CheckFile(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if kept(svc) != svcSyntax {
		t.Error("service.go, unchanged, was parsed again")
	}
	if got, want := summarizePositions(after[svc]), summarizePositions(before[svc]); got != want || want == "" {
		t.Errorf("service.go's findings after the edit of module.go:\n%s\nwant\n%s", got, want)
	}

	svcData, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	s.SetOverlay(svc, append(svcData, "\nfunc broken( {\n"...))
	for i := range 2 { // the second check reads the kept syntax
		ds, err := s.CheckFile(ctx, mod)
		if err != nil {
			t.Fatal(err)
		}
		if got := summarizePositions(ds[svc]); !strings.Contains(got, "compile") {
			t.Errorf("check %d: no syntax error in service.go: %s", i+1, got)
		}
	}
}

// TestSessionCompiledFirst checks the order in which CheckFileStaged hands
// over the compile findings: those of the package's own files first, from
// a check without the in-package tests, then every file's.
func TestSessionCompiledFirst(t *testing.T) {
	dir, s := seededSession(t, shop)
	ctx := context.Background()
	svc := filepath.Join(dir, "modules/standard/shop/service.go")
	test := filepath.Join(dir, "modules/standard/shop/service_test.go")
	data, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	s.SetOverlay(svc, append(data, "\nvar _ int = \"staged\"\n"...))
	var calls []Diagnostics
	ds, err := s.CheckFileStaged(ctx, svc, func(d Diagnostics) { calls = append(calls, d) })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("compiled was called %d times, want twice", len(calls))
	}
	if _, ok := calls[0][test]; ok || !strings.Contains(summarize(calls[0][svc]), `cannot use "staged"`) {
		t.Errorf("first call: %v; want service.go's type error and no test file", calls[0])
	}
	if _, ok := calls[1][test]; !ok || !strings.Contains(summarize(calls[1][svc]), `cannot use "staged"`) {
		t.Errorf("second call: %v; want every file, service.go's type error among them", calls[1])
	}
	for _, call := range calls {
		for f, list := range call {
			for _, d := range list {
				if d.Rule != RuleCompile {
					t.Errorf("compiled got a %s finding of %s", d.Rule, f)
				}
			}
		}
	}
	if !strings.Contains(summarize(ds[svc]), "MOD002") {
		t.Errorf("the check's result lacks the rules' findings: %s", summarize(ds[svc]))
	}
}

// seededSession opens a session on a workspace written from archive, with
// a cache holding the recorded types of the framework and the standard
// library (cachetest.Seeded), closed at the test's end.
func seededSession(t *testing.T, archive string) (string, *Session) {
	t.Helper()
	dir := writeWorkspace(t, archive)
	s, err := NewSessionCache(context.Background(), dir, nil, cachetest.Seeded(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return dir, s
}

func summarizePositions(ds []Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%d:%d-%d:%d %s %s", d.Line, d.Column, d.EndLine, d.EndColumn, d.Rule, d.Message))
	}
	return strings.Join(out, "\n")
}

// TestSessionLoadsWhatTypesReferTo checks that a session holds, of the
// packages it reads from export data, those the checked packages' types
// refer to, each complete: not the framework's whole closure, whose SQLite
// driver (imported blank) and its C library nothing refers to.
func TestSessionLoadsWhatTypesReferTo(t *testing.T) {
	cachetest.Use(t)
	dir := writeWorkspace(t, shop)
	ctx := context.Background()
	for _, run := range []string{"types from the Go build cache", "types from the cache's export data"} {
		s, err := NewSession(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		svc := filepath.Join(dir, "modules/standard/shop/service.go")
		if _, err := s.CheckFile(ctx, svc); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		e := s.state.deps.exports
		s.mu.Unlock()
		e.mu.Lock()
		var held []string
		for path, p := range e.imports {
			held = append(held, path)
			if !p.Complete() {
				t.Errorf("%s: %s is held incomplete", run, path)
			}
		}
		goRead := e.goRead
		e.mu.Unlock()
		s.Close()
		t.Logf("%s: %d packages held, %d read from the Go build cache", run, len(held), goRead)
		if !slices.Contains(held, "github.com/modls/modls/framework") || !slices.Contains(held, "database/sql") {
			t.Fatalf("%s: the framework's types are not held: %v", run, held)
		}
		for _, unreferenced := range []string{"modernc.org/sqlite", "modernc.org/libc"} {
			if slices.Contains(held, unreferenced) {
				t.Errorf("%s: %s is held, which no type refers to (%d packages held)", run, unreferenced, len(held))
			}
		}
	}
}
