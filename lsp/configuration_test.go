package lsp

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestEditorRuleSettings checks the rule settings an editor sends: in
// initializationOptions they apply from the first check, and a
// workspace/didChangeConfiguration re-grades the open files.
func TestEditorRuleSettings(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	off := map[string]any{"modls": map[string]any{"rules": map[string]any{"MOD002": "off"}}}
	e := newEditor(t, dir, editorConfig{initOptions: off}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	has := func(ds []protocol.Diagnostic, sev protocol.DiagnosticSeverity) bool {
		for _, d := range ds {
			if code(d) == "MOD002" && (sev == 0 || d.Severity == sev) {
				return true
			}
		}
		return false
	}
	e.awaitDiagnostics(file, "the first check", func(ds []protocol.Diagnostic) bool { return true })
	if err := e.srv.sched.waitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ds := e.diagnostics(file); has(ds, 0) {
		t.Fatalf("MOD002 is off in the editor's settings but was reported: %v", ds)
	}
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"modls": map[string]any{"rules": map[string]any{"MOD002": "warning"}}}})
	e.awaitDiagnostics(file, "MOD002 as a warning", func(ds []protocol.Diagnostic) bool { return has(ds, protocol.DiagnosticSeverityWarning) })
}

func TestParseClientSettings(t *testing.T) {
	cs, err := parseClientSettings([]byte(`{"modls": {"rules": {"MOD011": "off", "MOD002": {"enabled": true, "severity": "info"}}}}`))
	if err != nil || len(cs.rules) != 2 || *cs.rules["MOD011"].Enabled || cs.rules["MOD002"].Severity != "info" || cs.compileErrors != nil {
		t.Fatalf("settings %+v, %v", cs, err)
	}
	// Neovim before 0.10 sends every empty Lua table as [].
	for _, in := range []string{``, `null`, `{}`, `[]`, `{"modls": {}}`, `{"modls": []}`, `{"modls": {"rules": []}}`, `{"modls": {"rules": {}}}`, `{"modls": {"rules": null}}`, `{"other": 1}`, `{"modls": {"compileErrors": null}}`} {
		if cs, err := parseClientSettings([]byte(in)); err != nil || cs.rules != nil || cs.compileErrors != nil {
			t.Errorf("%q: %+v %v; want no settings", in, cs, err)
		}
	}
	cs, err = parseClientSettings([]byte(`{"modls": {"rules": {"MOD002": [], "MOD011": "off"}, "compileErrors": false}}`))
	if err != nil || len(cs.rules) != 2 || cs.rules["MOD002"].Enabled != nil || cs.rules["MOD002"].Severity != "" || cs.compileErrors == nil || *cs.compileErrors {
		t.Fatalf("an empty rule table and compileErrors false: %+v, %v", cs, err)
	}
	for in, want := range map[string]string{
		`{"modls": {"rules": {"MOD999": "off"}}}`:  `unknown rule "MOD999"`,
		`{"modls": {"rules": {"MOD002": "loud"}}}`: `unknown severity "loud"`,
		`{"modls": {"rules": {"MOD002": [1]}}}`:    `rules.MOD002`,
		`{"modls": {"rules": ["MOD002"]}}`:         `modls.rules: want an object, got an array`,
		`{"modls": {"rules": "all"}}`:              `modls.rules: want an object`,
		`{"modls": [1]}`:                           `modls: want an object`,
		`{"modls": {"compileErrors": "auto"}}`:     `modls.compileErrors: want true or false`,
		`{"modls": {"newFromRev": 3}}`:             `modls.newFromRev: want a git revision`,
		`[1]`:                                      "editor settings",
		`7`:                                        "editor settings",
	} {
		if _, err := parseClientSettings([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", in, err, want)
		}
	}
}

// TestEditorEmptyTables starts a server the way Neovim 0.7 does with
// require("modls").setup({}): every empty table is an array. The server
// takes it without complaint and reports as usual.
func TestEditorEmptyTables(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	init := map[string]any{"modls": map[string]any{"rules": []any{}}}
	e := newEditor(t, dir, editorConfig{initOptions: init}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	hasMOD002 := func(ds []protocol.Diagnostic) bool {
		for _, d := range ds {
			if code(d) == "MOD002" {
				return true
			}
		}
		return false
	}
	e.awaitDiagnostics(file, "MOD002 with empty settings", hasMOD002)
	// An empty table for the settings, or for their modls section, means
	// no settings: a rule turned off before is on again.
	mod002Off := map[string]any{"modls": map[string]any{"rules": map[string]any{"MOD002": "off"}}}
	for _, empty := range []any{[]any{}, map[string]any{"modls": []any{}}} {
		e.notify("workspace/didChangeConfiguration", map[string]any{"settings": mod002Off})
		e.awaitDiagnostics(file, "MOD002 off", func(ds []protocol.Diagnostic) bool { return !hasMOD002(ds) })
		e.notify("workspace/didChangeConfiguration", map[string]any{"settings": empty})
		e.awaitDiagnostics(file, fmt.Sprintf("MOD002 back with settings %v", empty), hasMOD002)
	}
	e.mu.Lock()
	msgs := append([]string(nil), e.messages...)
	e.mu.Unlock()
	if len(msgs) > 0 {
		t.Fatalf("the server complained about empty settings: %q", msgs)
	}
}

// TestEditorCompileErrors checks modls.compileErrors: false leaves the
// compile findings (type errors, which gopls reports too) out of what is
// published, and keeps the rules' findings; true brings them back.
func TestEditorCompileErrors(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	settings := func(compile bool) map[string]any {
		return map[string]any{"modls": map[string]any{"rules": map[string]any{}, "compileErrors": compile}}
	}
	e := newEditor(t, dir, editorConfig{initOptions: settings(false)}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	count := func(ds []protocol.Diagnostic, rule string) int {
		n := 0
		for _, d := range ds {
			if code(d) == rule {
				n++
			}
		}
		return n
	}
	// A type error and, in the same edit, a new exported method that
	// MOD002 reports: once MOD002 names it, the version with the type
	// error has been published.
	e.replace(file, "package shop\n", "package shop\n\nvar broken int = \"not an int\"\n\nfunc (s *Service) Lend() error { return nil }\n")
	ds := e.awaitDiagnostics(file, "MOD002 on Lend", func(ds []protocol.Diagnostic) bool {
		for _, d := range ds {
			if code(d) == "MOD002" && strings.Contains(message(d), "Lend") {
				return true
			}
		}
		return false
	})
	if n := count(ds, "compile"); n != 0 {
		t.Fatalf("compileErrors false, but %d compile findings were published: %v", n, ds)
	}
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": settings(true)})
	e.awaitDiagnostics(file, "the compile finding with compileErrors true", func(ds []protocol.Diagnostic) bool {
		return count(ds, "compile") > 0 && count(ds, "MOD002") > 0
	})
}
