package lsp

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestNavigationChecksNothing holds the navigation requests to lookups in
// the index: answering them runs no check (no package is type-checked for
// a request) and reads no module again, and a keystroke makes the next
// request read the one module it changed.
func TestNavigationChecksNothing(t *testing.T) {
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
	e := newEditor(t, writeWorkspace(t, files), editorConfig{}, Options{}, nil)
	const shop = "modules/standard/shop/module.go"
	e.open(shop)
	e.settle()
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
