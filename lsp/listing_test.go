package lsp

import (
	"testing"

	"golang.org/x/tools/txtar"
)

// TestTaggedFileListedOnce checks that typing in a Go file the go command
// leaves out of its package (built only with a tag) does not list the
// packages again at every check: one listing finds it left out, and the
// next ones wait for its build constraints or package clause to change.
func TestTaggedFileListedOnce(t *testing.T) {
	const tagged = "modules/standard/shop/shop_integration_test.go"
	files := append(shopFiles(t), txtar.File{Name: tagged, Data: []byte("//go:build integration\n\npackage shop\n\nimport \"testing\"\n\nfunc TestIntegration(t *testing.T) {}\n")})
	e := newEditor(t, writeWorkspace(t, files), editorConfig{}, Options{}, nil)
	e.open("modules/standard/shop/service.go")
	e.diagnostics("modules/standard/shop/service.go")
	before := e.srv.checks.listings.Load()
	e.open(tagged)
	e.diagnostics(tagged)
	for i := 0; i < 5; i++ {
		e.replace(tagged, "func TestIntegration(t *testing.T) {", "func TestIntegration(t *testing.T) {\n\t_ = t")
		e.diagnostics(tagged)
	}
	if n := e.srv.checks.listings.Load() - before; n != 1 {
		t.Fatalf("typing in a file built only with a tag listed the packages %d times, want once", n)
	}
	// A changed build constraint is worth another listing.
	e.replace(tagged, "//go:build integration\n", "")
	e.diagnostics(tagged)
	if n := e.srv.checks.listings.Load() - before; n != 2 {
		t.Fatalf("the packages were listed %d times after the constraint went, want twice", n)
	}
}
