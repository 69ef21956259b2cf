package lsp

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// navStep runs the navigation steps of a scenario. A place is a Go-quoted
// text found by its first occurrence in the file: "|" in it marks the
// cursor (its start without one), and «…» the extent a result must have
// (the whole text without them).
//
//	hover FILE "place" "text"...    the hover's Markdown holds every text; its range is the place's «…» if marked
//	nohover FILE "place"
//	definition FILE "place" [OTHER "place"]...   the definitions are exactly those extents
//	references FILE "place" [OTHER "place"]...   the references, declarations included, are exactly those
//	complete FILE "place" ["label"]...    the completions, in the order of their sortText, are exactly those
//	symbols FILE "entry"...       the document symbols, depth first, are exactly those ("parent/child")
//	symbolat FILE "entry" "place" that symbol's selection range is the place's «…»
//	wssymbols "query" "name file"...   workspace/symbol answers exactly those
//	prepare FILE "place"          prepareRename offers the place's «…» and the name written there
//	noprepare FILE "place"
//	rename FILE "place" "new"     apply the rename's workspace edit
//	norename FILE "place" "new" "error"   the rename fails with an error holding that text
//	completeapply FILE "place" "label"    take that completion: its edit, then its command (whose
//	                                      workspace/applyEdit the editor applies)
func navStep(t *testing.T, e *editor, a []string) bool {
	t.Helper()
	switch a[0] {
	case "hover", "nohover":
		if len(a) < 3 || a[0] == "nohover" && len(a) != 3 {
			t.Fatalf("%s takes FILE \"place\"%s", a[0], map[bool]string{true: " \"text\"...", false: ""}[a[0] == "hover"])
		}
		pos, want := e.place(a[1], a[2])
		var raw jsonrpc2.RawMessage
		e.call("textDocument/hover", e.positionParams(a[1], pos), &raw)
		present := len(raw) > 0 && string(raw) != "null"
		if a[0] == "nohover" {
			if present {
				t.Fatalf("hover at %q in %s: %s", a[2], a[1], raw)
			}
			return true
		}
		if !present {
			t.Fatalf("no hover at %q in %s", a[2], a[1])
		}
		var h protocol.Hover
		if err := protocol.Unmarshal(raw, &h); err != nil {
			t.Fatalf("hover: %v", err)
		}
		mc, ok := h.Contents.(*protocol.MarkupContent)
		if !ok {
			t.Fatalf("hover contents are %T", h.Contents)
		}
		for _, w := range a[3:] {
			if !strings.Contains(mc.Value, w) {
				t.Fatalf("hover at %q in %s lacks %q:\n%s", a[2], a[1], w, mc.Value)
			}
		}
		if strings.Contains(a[2], "«") && (h.Range == nil || *h.Range != want) {
			t.Fatalf("hover at %q in %s: range %v, want %v", a[2], a[1], h.Range, want)
		}
	case "definition", "references":
		if len(a) < 3 || len(a)%2 != 1 {
			t.Fatalf("%s takes FILE \"place\" and pairs OTHER \"place\"", a[0])
		}
		pos, _ := e.place(a[1], a[2])
		params := e.positionParams(a[1], pos)
		method := "textDocument/definition"
		if a[0] == "references" {
			method = "textDocument/references"
			params["context"] = map[string]any{"includeDeclaration": true}
		}
		var locs []protocol.Location
		e.call(method, params, &locs)
		var got, want []string
		for _, l := range locs {
			p, _ := pathOf(l.URI)
			got = append(got, fmt.Sprintf("%s:%v", p, l.Range))
		}
		for i := 3; i < len(a); i += 2 {
			_, r := e.place(a[i], a[i+1])
			want = append(want, fmt.Sprintf("%s:%v", e.path(a[i]), r))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s at %q in %s:\n--- got ---\n%s\n--- want ---\n%s", a[0], a[2], a[1], strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	case "complete", "completeapply":
		if len(a) < 3 || a[0] == "completeapply" && len(a) != 4 {
			t.Fatalf("%s takes FILE \"place\" and labels", a[0])
		}
		items := e.completions(a[1], a[2])
		if a[0] == "complete" {
			var got []string
			for _, it := range items {
				got = append(got, it.Label)
			}
			if strings.Join(got, "\n") != strings.Join(a[3:], "\n") {
				t.Fatalf("completions at %q in %s: %q, want %q", a[2], a[1], got, a[3:])
			}
			return true
		}
		var item *protocol.CompletionItem
		for i := range items {
			if items[i].Label == a[3] {
				item = &items[i]
			}
		}
		if item == nil {
			t.Fatalf("no completion %q at %q in %s", a[3], a[2], a[1])
		}
		te, ok := item.TextEdit.(*protocol.TextEdit)
		if !ok {
			t.Fatalf("completion %q: text edit %T", a[3], item.TextEdit)
		}
		edits := append([]protocol.TextEdit{*te}, item.AdditionalTextEdits...)
		e.applyEdit(&protocol.WorkspaceEdit{Changes: map[protocolURI][]protocol.TextEdit{uriOf(e.path(a[1])): edits}})
		if item.Command.Command != "" {
			e.call("workspace/executeCommand", map[string]any{"command": item.Command.Command, "arguments": item.Command.Arguments}, nil)
			e.mu.Lock()
			applied := e.applied
			e.applied = nil
			e.mu.Unlock()
			if len(applied) == 0 {
				t.Fatalf("completion %q: its command %s asked for no edit", a[3], item.Command.Command)
			}
			for _, we := range applied {
				e.applyEdit(we)
			}
		}
	case "symbols", "symbolat":
		if a[0] == "symbolat" && len(a) != 4 {
			t.Fatalf("symbolat takes FILE \"entry\" \"place\"")
		}
		var syms []protocol.DocumentSymbol
		e.call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uriOf(e.path(a[1])).String()}}, &syms)
		var got []string
		ranges := map[string]protocol.Range{}
		var walk func(prefix string, list []protocol.DocumentSymbol)
		walk = func(prefix string, list []protocol.DocumentSymbol) {
			for _, sym := range list {
				name := prefix + sym.Name
				got = append(got, name)
				ranges[name] = sym.SelectionRange
				walk(name+"/", sym.Children)
			}
		}
		walk("", syms)
		if a[0] == "symbols" {
			if strings.Join(got, "\n") != strings.Join(a[2:], "\n") {
				t.Fatalf("document symbols of %s: %q, want %q", a[1], got, a[2:])
			}
			return true
		}
		_, want := e.place(a[1], a[3])
		if r, ok := ranges[a[2]]; !ok || r != want {
			t.Fatalf("symbol %s of %s: selection range %v, want %v", a[2], a[1], r, want)
		}
	case "wssymbols":
		if len(a) < 2 {
			t.Fatalf("wssymbols takes \"query\" and the symbols")
		}
		var syms []protocol.SymbolInformation
		e.call("workspace/symbol", map[string]any{"query": a[1]}, &syms)
		var got []string
		for _, sym := range syms {
			p, _ := pathOf(sym.Location.URI)
			rel, _ := filepath.Rel(e.dir, p)
			got = append(got, sym.Name+" "+filepath.ToSlash(rel))
		}
		if strings.Join(got, "\n") != strings.Join(a[2:], "\n") {
			t.Fatalf("workspace symbols for %q: %q, want %q", a[1], got, a[2:])
		}
	case "prepare", "noprepare":
		pos, want := e.place(a[1], a[2])
		var raw jsonrpc2.RawMessage
		e.call("textDocument/prepareRename", e.positionParams(a[1], pos), &raw)
		present := len(raw) > 0 && string(raw) != "null"
		if a[0] == "noprepare" {
			if present {
				t.Fatalf("prepareRename at %q in %s: %s", a[2], a[1], raw)
			}
			return true
		}
		var got protocol.PrepareRenamePlaceholder
		if !present || protocol.Unmarshal(raw, &got) != nil {
			t.Fatalf("prepareRename at %q in %s: %s", a[2], a[1], raw)
		}
		plain := strings.NewReplacer("|", "").Replace(a[2])
		name := plain[strings.Index(plain, "«")+len("«") : strings.Index(plain, "»")]
		if got.Range != want || got.Placeholder != name {
			t.Fatalf("prepareRename at %q in %s: %v %q, want %v %q", a[2], a[1], got.Range, got.Placeholder, want, name)
		}
	case "rename", "norename":
		pos, _ := e.place(a[1], a[2])
		params := e.positionParams(a[1], pos)
		params["newName"] = a[3]
		var we protocol.WorkspaceEdit
		err := e.tryCall("textDocument/rename", params, &we)
		if a[0] == "norename" {
			if err == nil || !strings.Contains(err.Error(), a[4]) {
				t.Fatalf("rename at %q in %s to %s: error %v, want one holding %q", a[2], a[1], a[3], err, a[4])
			}
			return true
		}
		if err != nil {
			t.Fatalf("rename at %q in %s: %v", a[2], a[1], err)
		}
		e.applyEdit(&we)
	default:
		return false
	}
	return true
}

// completions asks for the completions at a place, sorted as an editor
// lists them.
func (e *editor) completions(file, place string) []protocol.CompletionItem {
	e.t.Helper()
	pos, _ := e.place(file, place)
	var list protocol.CompletionList
	e.call("textDocument/completion", e.positionParams(file, pos), &list)
	items := list.Items
	sort.SliceStable(items, func(i, j int) bool {
		si, _ := items[i].SortText.Get()
		sj, _ := items[j].SortText.Get()
		if si == "" {
			si = items[i].Label
		}
		if sj == "" {
			sj = items[j].Label
		}
		return si < sj
	})
	return items
}

// place finds a place in a file: the cursor and the marked extent, as
// positions in the client's encoding.
func (e *editor) place(file, place string) (protocol.Position, protocol.Range) {
	e.t.Helper()
	plain := strings.NewReplacer("|", "", "«", "", "»", "").Replace(place)
	text := e.text(file)
	at := strings.Index(text, plain)
	if at < 0 {
		e.t.Fatalf("%s holds no %q", file, plain)
	}
	// Offsets of the markers within the plain text.
	offsetIn := func(marker string) int {
		i := strings.Index(place, marker)
		if i < 0 {
			return -1
		}
		before := strings.NewReplacer("|", "", "«", "", "»", "").Replace(place[:i])
		return len(before)
	}
	cursor, start, end := offsetIn("|"), offsetIn("«"), offsetIn("»")
	if start < 0 {
		start, end = 0, len(plain)
	}
	if cursor < 0 {
		cursor = start
	}
	return e.posOf(text, at+cursor), protocol.Range{Start: e.posOf(text, at+start), End: e.posOf(text, at+end)}
}

func (e *editor) positionParams(file string, pos protocol.Position) map[string]any {
	return map[string]any{
		"textDocument": map[string]any{"uri": uriOf(e.path(file)).String()},
		"position":     map[string]any{"line": pos.Line, "character": pos.Character},
	}
}
