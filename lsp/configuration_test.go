package lsp

import (
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

func TestParseClientRules(t *testing.T) {
	rules, err := parseClientRules([]byte(`{"modls": {"rules": {"MOD011": "off", "MOD002": {"enabled": true, "severity": "info"}}}}`))
	if err != nil || len(rules) != 2 || *rules["MOD011"].Enabled || rules["MOD002"].Severity != "info" {
		t.Fatalf("rules %+v, %v", rules, err)
	}
	for _, in := range []string{``, `null`, `{}`, `{"modls": {}}`, `{"other": 1}`} {
		if rules, err := parseClientRules([]byte(in)); err != nil || rules != nil {
			t.Errorf("%q: %v %v; want no rules", in, rules, err)
		}
	}
	for in, want := range map[string]string{
		`{"modls": {"rules": {"MOD999": "off"}}}`:  `unknown rule "MOD999"`,
		`{"modls": {"rules": {"MOD002": "loud"}}}`: `unknown severity "loud"`,
		`[1]`: "editor settings",
	} {
		if _, err := parseClientRules([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", in, err, want)
		}
	}
}
