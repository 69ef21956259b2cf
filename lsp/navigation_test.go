package lsp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/modls/modls/nav"
)

// TestNavigationChecksNothing holds the navigation requests to lookups in
// the index: answering them runs no check (no package is type-checked for
// a request) and reads no module again, and a keystroke makes the next
// request read the one module it changed.
func TestNavigationChecksNothing(t *testing.T) {
	e := openNavShop(t)
	const shop = navShop
	requests := func() {
		for _, place := range []string{`(app, "billing.inv|oices")`, `return s.RegisterService("shop.ser|vice"`} {
			pos, _ := e.place(shop, place)
			p := e.positionParams(shop, pos)
			for _, m := range []string{"textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/prepareRename"} {
				e.call(m, p, nil)
			}
			p["context"] = map[string]any{"includeDeclaration": true}
			e.call("textDocument/references", p, nil)
		}
		e.call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uriOf(e.path("modules/standard/billing/manifest.json")).String()}}, nil)
		e.call("workspace/symbol", map[string]any{"query": "billing"}, nil)
	}
	requests() // the first builds the index
	counts := func() string {
		return fmt.Sprintf("checks %d+%d, index builds %d, modules read %d",
			e.srv.checks.recorded.Load(), e.srv.checks.cancelled.Load(), e.srv.nav.builds.Load(), e.srv.nav.modules.Load())
	}
	before := counts()
	for range 20 {
		requests()
	}
	if after := counts(); after != before {
		t.Errorf("220 navigation requests without a change: %s before, %s after", before, after)
	}
	builds, modules := e.srv.nav.builds.Load(), e.srv.nav.modules.Load()
	e.replace(shop, "func (s *Service) Buy(", "func (s *Service) Buyy(")
	requests()
	if b, m := e.srv.nav.builds.Load()-builds, e.srv.nav.modules.Load()-modules; b != 1 || m != 1 {
		t.Errorf("after one keystroke: %d index builds reading %d modules, want 1 reading 1", b, m)
	}
}

// TestNavigationBuiltAhead checks that a change to a file of a loaded
// session has the navigation index built in the background, once the
// check the change starts has published, so that the next request finds
// it built.
func TestNavigationBuiltAhead(t *testing.T) {
	e := openNavShop(t)
	if hoverLookup(e) == nil { // the session is loaded: the first request builds the index
		t.Fatal("no hover on a lookup")
	}
	builds := e.srv.nav.builds.Load()
	e.replace(navShop, "func (s *Service) Buy(", "func (s *Service) Buyy(")
	e.settle()
	if b := e.srv.nav.builds.Load() - builds; b != 1 {
		t.Fatalf("after a change and its check, %d index builds, want 1, in the background", b)
	}
	if hoverLookup(e) == nil {
		t.Fatal("no hover on a lookup after the change")
	}
	if b := e.srv.nav.builds.Load() - builds; b != 1 {
		t.Errorf("the request after the change made %d index builds more", b-1)
	}
}

// TestNavigationAnywhere asks every navigation request at positions all
// over every file of a workspace, past the ends of lines and of the file
// too: each is answered (null where there is nothing), never with an
// error, and the server goes on answering.
func TestNavigationAnywhere(t *testing.T) {
	files := navFiles(t)
	e := newEditor(t, writeWorkspace(t, files), editorConfig{}, Options{}, nil)
	for _, f := range files {
		e.open(f.Name)
	}
	e.settle()
	calls := 0
	for _, f := range files {
		text := e.text(f.Name)
		lines := strings.Count(text, "\n") + 2
		for line := 0; line < lines; line++ {
			for _, char := range []int{0, 1, 7, 15, 31, 200} {
				p := map[string]any{
					"textDocument": map[string]any{"uri": uriOf(e.path(f.Name)).String()},
					"position":     map[string]any{"line": line, "character": char},
				}
				for _, m := range []string{"textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/prepareRename"} {
					if err := e.tryCall(m, p, nil); err != nil {
						t.Fatalf("%s at %d:%d of %s: %v", m, line, char, f.Name, err)
					}
					calls++
				}
				p["context"] = map[string]any{"includeDeclaration": true}
				if err := e.tryCall("textDocument/references", p, nil); err != nil {
					t.Fatalf("references at %d:%d of %s: %v", line, char, f.Name, err)
				}
			}
		}
	}
	if hoverLookup(e) == nil {
		t.Fatalf("after %d requests, no hover on a lookup", calls)
	}
}

// TestNavigationYieldsToChecks checks that a build of the index in the
// background reads no module while a check runs, and that a request
// needing the index then hurries it on rather than building another.
func TestNavigationYieldsToChecks(t *testing.T) {
	e := openNavShop(t)
	if b := e.srv.nav.builds.Load(); b != 0 {
		t.Fatalf("%d index builds before any change or request", b)
	}
	// A check in flight, as the scheduler records it.
	q := e.srv.sched
	q.mu.Lock()
	q.busy = true
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.busy = false
		q.mu.Unlock()
	}()
	e.srv.navAhead([]string{e.path(navShop)})
	time.Sleep(200 * time.Millisecond)
	if b, m := e.srv.nav.builds.Load(), e.srv.nav.modules.Load(); b != 0 || m != 0 {
		t.Fatalf("while a check runs, the build in the background made %d indexes reading %d modules", b, m)
	}
	if hoverLookup(e) == nil {
		t.Fatal("no hover while the index was being built in the background")
	}
	if b := e.srv.nav.builds.Load(); b != 1 {
		t.Errorf("%d index builds, want the one in the background, hurried on", b)
	}
}

// navShop is the file of the navigation scenario the tests open.
const navShop = "modules/standard/shop/module.go"

// openNavShop starts an editor on the navigation scenario's workspace and
// opens navShop, its check done.
func openNavShop(t *testing.T) *editor {
	t.Helper()
	e := newEditor(t, writeWorkspace(t, navFiles(t)), editorConfig{}, Options{}, nil)
	e.open(navShop)
	e.settle()
	return e
}

// hoverLookup hovers over the lookup of billing.invoices in navShop.
func hoverLookup(e *editor) map[string]any {
	e.t.Helper()
	pos, _ := e.place(navShop, `(app, "billing.inv|oices")`)
	var raw map[string]any
	e.call("textDocument/hover", e.positionParams(navShop, pos), &raw)
	return raw
}

// navFiles are the workspace files of the navigation scenario
// testdata/nav_hover.txtar.
func navFiles(t *testing.T) []txtar.File {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/nav_hover.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var files []txtar.File
	for _, f := range ar.Files {
		if f.Name != "script" && !strings.HasPrefix(f.Name, "want/") {
			files = append(files, f)
		}
	}
	return files
}

// TestNavigationBuildPanics checks that a build of the index that panics
// still ends the build under way, so that the requests waiting for it go
// on instead of waiting for ever.
func TestNavigationBuildPanics(t *testing.T) {
	s := &Server{}
	s.nav.byRoot, s.nav.building = map[string]*navEntry{}, map[string]*navBuild{}
	b := &navBuild{done: make(chan struct{})}
	s.nav.building["/w"] = b
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("the build's panic did not reach the caller's recovery")
			}
		}()
		s.finishNav("/w", nil, b, func() *nav.Index { panic("boom") })
	}()
	select {
	case <-b.done:
	default:
		t.Error("the build that panicked is still under way for its waiters")
	}
	if s.nav.building["/w"] != nil || s.nav.byRoot["/w"] != nil {
		t.Errorf("after the panic: building %v, index %v", s.nav.building["/w"], s.nav.byRoot["/w"])
	}
}
