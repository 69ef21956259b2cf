package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestImpossibleChange sends each kind of didChange the server cannot
// apply to its text of a file with findings: the user is told
// (window/showMessage), the file's diagnostics are cleared, further
// changes with ranges are not analysed and publish nothing, and the file
// comes back with the editor's whole text (a change without a range, or
// a close and an open).
func TestImpossibleChange(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	const file = "modules/standard/shop/service.go"
	at := func(line, char int) map[string]any { return map[string]any{"line": line, "character": char} }
	for _, tc := range []struct {
		name    string
		version any // nil: null; "absent": left out
		changes []any
		reason  string
	}{
		{"range start after its end", 3, []any{map[string]any{"range": map[string]any{"start": at(2, 5), "end": at(1, 0)}, "text": "x"}}, "before its start"},
		{"range beyond the document", 3, []any{map[string]any{"range": map[string]any{"start": at(5000, 0), "end": at(5000, 0)}, "text": "x"}}, "beyond the last line"},
		{"null version", nil, []any{map[string]any{"range": map[string]any{"start": at(0, 0), "end": at(0, 0)}, "text": "// x\n"}}, "without a version"},
		{"absent version", "absent", []any{map[string]any{"range": map[string]any{"start": at(0, 0), "end": at(0, 0)}, "text": "// x\n"}}, "without a version"},
		{"version not increasing", 1, []any{map[string]any{"range": map[string]any{"start": at(0, 0), "end": at(0, 0)}, "text": "// x\n"}}, "version 1 came after version 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEditor(t, dir, editorConfig{}, Options{}, nil)
			path := e.path(file)
			e.open(file)
			e.replace(file, "package shop", "package shop ") // version 2, in sync
			if len(e.diagnostics(file)) == 0 {
				t.Fatal("no findings to begin with")
			}
			doc := map[string]any{"uri": uriOf(path).String()}
			if tc.version != "absent" {
				doc["version"] = tc.version
			}
			e.notify("textDocument/didChange", map[string]any{"textDocument": doc, "contentChanges": tc.changes})
			e.await("the user told and the diagnostics cleared", func() bool {
				p := e.diags[path]
				_, versioned := p.Version.Get()
				told := false
				for _, m := range e.messages {
					told = told || strings.Contains(m, "service.go is out of sync") && strings.Contains(m, tc.reason)
				}
				return told && len(p.Diagnostics) == 0 && !versioned
			})

			// A change the server could apply, to a text that is not the
			// editor's: nothing is checked or published, nothing offered.
			e.mu.Lock()
			published := e.publishCount
			e.mu.Unlock()
			e.notify("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": uriOf(path).String(), "version": 10},
				"contentChanges": []any{map[string]any{"range": map[string]any{"start": at(0, 0), "end": at(0, 0)}, "text": "func Broken() { undefined() }\n"}},
			})
			e.settle()
			e.mu.Lock()
			after := e.publishCount
			e.mu.Unlock()
			if after != published {
				t.Fatalf("%d publications for a file out of sync", after-published)
			}
			if got := e.codeActions(file, protocol.Range{End: protocol.Position{Line: 100}}); len(got) != 0 {
				t.Fatalf("%d code actions for a file out of sync", len(got))
			}
			var report struct {
				Items []protocol.Diagnostic `json:"items"`
			}
			e.call("textDocument/diagnostic", map[string]any{"textDocument": map[string]any{"uri": uriOf(path).String()}}, &report)
			if len(report.Items) != 0 {
				t.Fatalf("a pull for a file out of sync gave %d diagnostics", len(report.Items))
			}

			// The editor's whole text: in sync again, checked.
			text := e.text(file) + "\nfunc (s *Service) Refund(ctx context.Context, id int) error { return nil }\n"
			if tc.name == "null version" {
				e.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uriOf(path).String()}})
				e.openText(file, text)
			} else {
				e.notify("textDocument/didChange", map[string]any{
					"textDocument":   map[string]any{"uri": uriOf(path).String(), "version": 11},
					"contentChanges": []any{map[string]any{"text": text}},
				})
				e.mu.Lock()
				e.docs[path] = &editorDoc{version: 11, text: text}
				e.mu.Unlock()
			}
			e.awaitDiagnostics(file, "the findings of the whole text", func(ds []protocol.Diagnostic) bool {
				for _, d := range ds {
					if strings.Contains(message(d), "Refund") {
						return true
					}
				}
				return false
			})
			if tc.name != "range start after its end" {
				return
			}
			// A file with lenses: none while out of sync.
			const testFile = "modules/standard/shop/service_test.go"
			e.open(testFile)
			if len(e.codeLenses(testFile)) == 0 {
				t.Fatal("no lenses on a test file")
			}
			e.notify("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": uriOf(e.path(testFile)).String(), "version": 2},
				"contentChanges": tc.changes,
			})
			if got := e.codeLenses(testFile); len(got) != 0 {
				t.Fatalf("%d code lenses for a file out of sync", len(got))
			}
		})
	}
}
