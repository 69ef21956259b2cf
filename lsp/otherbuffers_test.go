package lsp

import (
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"golang.org/x/tools/txtar"
)

// TestRulesReadOtherBuffers checks that a rule reading files beyond the
// package it checks (MOD011 reads every test file of the module) reads the
// editor's buffers of those files, not the disk: a test typed into an
// unsaved test file, in the package or in its external test package,
// covers the method at once.
func TestRulesReadOtherBuffers(t *testing.T) {
	files := append(shopFiles(t), txtar.File{
		Name: "modules/standard/shop/ext_test.go",
		Data: []byte("package shop_test\n\nimport \"testing\"\n\nfunc TestExt(t *testing.T) {}\n"),
	})
	dir := writeWorkspace(t, files)
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const service = "modules/standard/shop/service.go"
	uncovered := func(method string) func([]protocol.Diagnostic) bool {
		return func(ds []protocol.Diagnostic) bool {
			return slices.ContainsFunc(ds, func(d protocol.Diagnostic) bool {
				return code(d) == "MOD011" && strings.Contains(message(d), "method "+method)
			})
		}
	}
	covered := func(method string) func([]protocol.Diagnostic) bool {
		return func(ds []protocol.Diagnostic) bool { return !uncovered(method)(ds) }
	}
	e.open(service)
	e.awaitDiagnostics(service, "MOD011 on Sell", uncovered("Sell"))

	// The in-package test file, changed in the editor and not saved.
	const inPkg = "modules/standard/shop/service_test.go"
	e.open(inPkg)
	e.replace(inPkg, "func TestBuy(", "func TestSell(t *testing.T) { _ = (*Service).Sell }\n\nfunc TestBuy(")
	e.awaitDiagnostics(service, "no MOD011 once the unsaved test names Sell", covered("Sell"))
	e.replace(inPkg, "_ = (*Service).Sell", "")
	e.awaitDiagnostics(service, "MOD011 on Sell again once the unsaved test no longer names it", uncovered("Sell"))

	// The external test package's file, likewise.
	const ext = "modules/standard/shop/ext_test.go"
	e.open(ext)
	e.replace(ext, "import \"testing\"", "import (\n\t\"testing\"\n\n\t\"example.com/shop/modules/standard/shop\"\n)")
	e.replace(ext, "func TestExt(t *testing.T) {}", "func TestExt(t *testing.T) { _ = (*shop.Service).Sell }")
	e.awaitDiagnostics(service, "no MOD011 once the unsaved external test names Sell", covered("Sell"))
}
