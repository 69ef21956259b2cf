package lsp

import (
	"errors"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"
)

// TestCodeActionResolve checks code actions for an editor that resolves
// their edits: the quick fix and "apply all safe fixes" come without an
// edit, codeAction/resolve fills it in, and applying it writes what the
// eager edit writes (quickfix.txtar's module.go). An action offered before
// the file changed is refused with ContentModified.
func TestCodeActionResolve(t *testing.T) {
	t.Parallel()
	files := shopFiles(t)
	ar, err := txtar.ParseFile("testdata/quickfix.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, f := range ar.Files {
		if f.Name == "want/module.go" {
			want = string(f.Data)
		}
	}
	e := newEditor(t, writeWorkspace(t, files), editorConfig{resolveEdit: true}, Options{}, nil)
	const svc, mod = "modules/standard/shop/service.go", "modules/standard/shop/module.go"
	e.open(svc)
	e.open(mod)
	text := e.text(svc)
	at := e.posOf(text, offsetOf(t, text, "Sell"))
	e.awaitDiagnostics(svc, "MOD002 on Sell", func(ds []protocol.Diagnostic) bool { return findDiag(ds, "MOD002", at) != nil })
	actions := func() map[string]*protocol.CodeAction {
		out := map[string]*protocol.CodeAction{}
		for _, a := range e.codeActions(svc, protocol.Range{Start: at, End: at}) {
			out[a.Title] = a
		}
		return out
	}
	got := actions()
	resolved := map[string]*protocol.CodeAction{}
	for _, title := range []string{"Add ServiceMethod entries", "Apply all safe modls fixes"} {
		a := got[title]
		if a == nil {
			t.Fatalf("no action %q among %v", title, got)
		}
		if a.Edit != nil || len(a.Data) == 0 {
			t.Errorf("%q offered with an edit or without data for resolve", title)
		}
		var r protocol.CodeAction
		e.call("codeAction/resolve", encoded(t, a), &r)
		if r.Edit == nil || r.Title != title {
			t.Fatalf("%q resolved to %+v, want its edit", title, r)
		}
		resolved[title] = &r
	}
	e.applyEdit(resolved["Add ServiceMethod entries"].Edit)
	if got := e.text(mod); got != want {
		t.Errorf("module.go after the resolved fix:\n%s\nwant\n%s", got, want)
	}

	// module.go changed: the action offered for the check before is refused.
	stale := got["Apply all safe modls fixes"]
	e.diagnostics(mod)
	err = e.tryCall("codeAction/resolve", encoded(t, stale), nil)
	var rpcErr *jsonrpc2.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != contentModified {
		t.Errorf("resolving an action of an older check: %v, want ContentModified", err)
	}
}

// encoded is a code action as the editor sends it back.
func encoded(t *testing.T, a *protocol.CodeAction) jsonrpc2.RawMessage {
	t.Helper()
	data, err := protocol.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
