package lsp

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// TestCapabilitiesImplemented holds the server to advertising exactly the
// features it answers: every capability a "…Provider" names has its
// method in the dispatch table, and every request method of the table
// whose feature has a provider is advertised.
func TestCapabilitiesImplemented(t *testing.T) {
	providers := map[string][]string{
		"hoverProvider":           {"textDocument/hover"},
		"definitionProvider":      {"textDocument/definition"},
		"referencesProvider":      {"textDocument/references"},
		"completionProvider":      {"textDocument/completion"},
		"documentSymbolProvider":  {"textDocument/documentSymbol"},
		"workspaceSymbolProvider": {"workspace/symbol"},
		"renameProvider":          {"textDocument/rename"},
		"codeActionProvider":      {"textDocument/codeAction"},
		"codeLensProvider":        {"textDocument/codeLens"},
		"executeCommandProvider":  {"workspace/executeCommand"},
		"diagnosticProvider":      {"textDocument/diagnostic", "workspace/diagnostic"},
	}
	for _, cfg := range []editorConfig{{}, {pull: true}} {
		e := newEditor(t, writeWorkspace(t, nil), cfg, Options{}, nil)
		var got struct {
			Capabilities map[string]json.RawMessage `json:"capabilities"`
		}
		if err := json.Unmarshal(e.initResult, &got); err != nil {
			t.Fatal(err)
		}
		methods := newServer(Options{}).methods
		var advertised []string
		for key, raw := range got.Capabilities {
			if !strings.HasSuffix(key, "Provider") || string(raw) == "false" || string(raw) == "null" {
				continue
			}
			advertised = append(advertised, key)
			want, known := providers[key]
			if !known {
				t.Errorf("%s is advertised, and this test does not know its methods", key)
				continue
			}
			for _, m := range want {
				if _, ok := methods[m]; !ok {
					t.Errorf("%s is advertised and %s has no handler", key, m)
				}
			}
		}
		sort.Strings(advertised)
		for key, ms := range providers {
			if _, ok := methods[ms[0]]; ok && !strings.Contains(strings.Join(advertised, " "), key) && !(key == "diagnosticProvider" && !cfg.pull) {
				t.Errorf("%s has a handler and %s is not advertised (advertised: %s)", ms[0], key, advertised)
			}
		}
		if !strings.Contains(string(got.Capabilities["renameProvider"]), `"prepareProvider":true`) {
			t.Errorf("renameProvider %s: the client supports prepareRename", got.Capabilities["renameProvider"])
		}
		if _, ok := methods["textDocument/prepareRename"]; !ok {
			t.Error("prepareProvider is advertised and textDocument/prepareRename has no handler")
		}
	}
}
