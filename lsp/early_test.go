package lsp

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/modls/modls/checker"
)

// TestCompileFindingsFirst checks the two steps of a check's publication:
// an edit that adds a type error above a rule's finding is published with
// the type error and with the finding where its text now is, first as soon
// as the package is type-checked and then with the rules' result; taking
// the error out again is published the same way. Every publication of each
// version the client reads holds both, so the finding never flickers (the
// second may replace the first unsent: the server counts the first).
func TestCompileFindingsFirst(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	path := e.path(file)
	e.open(file)
	sell := func() protocol.Position { return e.posOf(e.text(file), offsetOf(t, e.text(file), "Sell")) }
	at := sell()
	e.awaitDiagnostics(file, "MOD002 on Sell", func(ds []protocol.Diagnostic) bool { return findDiag(ds, "MOD002", at) != nil })
	e.settle()

	var pubs []protocol.PublishDiagnosticsParams
	e.mu.Lock()
	e.onPublish = func(p string) {
		if p == path {
			pubs = append(pubs, *e.diags[path])
		}
	}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.onPublish = nil
		e.mu.Unlock()
	}()
	// ofVersion returns the publications of the file's current version.
	ofVersion := func() []protocol.PublishDiagnosticsParams {
		e.mu.Lock()
		defer e.mu.Unlock()
		var out []protocol.PublishDiagnosticsParams
		for _, p := range pubs {
			if v, ok := p.Version.Get(); ok && v == e.docs[path].version {
				out = append(out, p)
			}
		}
		return out
	}

	early := e.srv.checks.early.Load()
	const bad = "\n\nvar _ int = \"early\""
	e.replace(file, "type Service struct{}", "type Service struct{}"+bad)
	text := e.text(file)
	typeErr := e.posOf(text, offsetOf(t, text, `"early"`))
	at = sell()
	e.awaitDiagnostics(file, "the type error and MOD002 on Sell", func(ds []protocol.Diagnostic) bool {
		return findDiag(ds, checker.RuleCompile, typeErr) != nil && findDiag(ds, "MOD002", at) != nil
	})
	got := ofVersion()
	if n := e.srv.checks.early.Load() - early; n != 1 {
		t.Errorf("the type error was published early %d times, want once", n)
	}
	for i, p := range got {
		if findDiag(p.Diagnostics, checker.RuleCompile, typeErr) == nil || findDiag(p.Diagnostics, "MOD002", at) == nil {
			t.Errorf("publication %d of the type error's version lacks the error at %v or MOD002 at %v: %s", i+1, typeErr, at, describe(p.Diagnostics))
		}
	}

	early = e.srv.checks.early.Load()
	e.replace(file, bad, "")
	at = sell()
	e.awaitDiagnostics(file, "no type error and MOD002 on Sell", func(ds []protocol.Diagnostic) bool {
		return !slices.ContainsFunc(ds, func(d protocol.Diagnostic) bool { return code(d) == checker.RuleCompile }) && findDiag(ds, "MOD002", at) != nil
	})
	got = ofVersion()
	if n := e.srv.checks.early.Load() - early; n != 1 {
		t.Errorf("the fixed version was published early %d times, want once", n)
	}
	for i, p := range got {
		if slices.ContainsFunc(p.Diagnostics, func(d protocol.Diagnostic) bool { return code(d) == checker.RuleCompile }) || findDiag(p.Diagnostics, "MOD002", at) == nil {
			t.Errorf("publication %d of the fixed version has a compile finding or lacks MOD002 at %v: %s", i+1, at, describe(p.Diagnostics))
		}
	}
}

func describe(ds []protocol.Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("[%s %d:%d %s]", code(d), d.Range.Start.Line, d.Range.Start.Character, message(d)))
	}
	return strings.Join(out, " ")
}

// TestMoved checks how the findings of a text are carried to the text an
// edit made of it: before the edit they stay, after it they move with it
// (lines and columns), on it they are left out, and so is a finding whose
// related place in the same file is on it.
func TestMoved(t *testing.T) {
	from := []byte("aaa\nbbb X ccc\nddd\n")
	to := []byte("aaa\nbbb YY\nZ ccc\nddd\n") // "X" became "YY\nZ"
	d := func(line, col, endLine, endCol int) checker.Diagnostic {
		return checker.Diagnostic{Rule: "MOD002", File: "f.go", Line: line, Column: col, EndLine: endLine, EndColumn: endCol, Message: "m"}
	}
	related := d(1, 1, 1, 4)
	related.Related = []checker.Place{{File: "f.go", Line: 2, Column: 5, EndLine: 2, EndColumn: 6}}
	elsewhere := d(3, 1, 3, 4)
	elsewhere.Related = []checker.Place{{File: "other.go", Line: 2, Column: 5, EndLine: 2, EndColumn: 6}}
	got := moved([]checker.Diagnostic{
		d(1, 1, 1, 4),  // aaa: before the edit
		d(2, 1, 2, 4),  // bbb: before it, on its line
		d(2, 5, 2, 6),  // X: the edited text
		d(2, 7, 2, 10), // ccc: after it, on its line
		d(3, 1, 3, 4),  // ddd: after it
		related,        // related to X
		elsewhere,      // related to another file
	}, from, to)
	var out []string
	for _, g := range got {
		s := fmt.Sprintf("%d:%d-%d:%d", g.Line, g.Column, g.EndLine, g.EndColumn)
		for _, r := range g.Related {
			s += fmt.Sprintf(" (%s %d:%d)", r.File, r.Line, r.Column)
		}
		out = append(out, s)
	}
	want := []string{"1:1-1:4", "2:1-2:4", "3:3-3:6", "4:1-4:4", "4:1-4:4 (other.go 2:5)"}
	if !slices.Equal(out, want) {
		t.Errorf("moved:\n got %q\nwant %q", out, want)
	}
}

// TestAutomaticCodeActionsDoNotWait checks that code actions the editor
// asks for on its own (triggerKind Automatic, the light bulb) are answered
// from what is checked, without waiting for the check of the newest text:
// right after a file is opened they are none, while the user's request
// (Invoked) waits for the check and gets its fix.
func TestAutomaticCodeActionsDoNotWait(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	text := e.text(file)
	at := offsetOf(t, text, "Sell")
	rng := protocol.Range{Start: e.posOf(text, at), End: e.posOf(text, at+len("Sell"))}
	titles := func(kind protocol.CodeActionTriggerKind) []string {
		var raw jsonrpc2.RawMessage
		e.call("textDocument/codeAction", map[string]any{
			"textDocument": map[string]any{"uri": uriOf(e.path(file)).String()},
			"range":        rng,
			"context":      map[string]any{"diagnostics": []any{}, "triggerKind": kind},
		}, &raw)
		var list []protocol.CommandOrCodeAction
		if err := protocol.Unmarshal(raw, &list); err != nil {
			t.Fatalf("code actions: %v in %s", err, raw)
		}
		out := []string{}
		for _, a := range list {
			if ca, ok := a.(*protocol.CodeAction); ok {
				out = append(out, ca.Title)
			}
		}
		return out
	}
	if got := titles(protocol.CodeActionTriggerKindAutomatic); len(got) > 0 {
		t.Errorf("automatic code actions right after opening: %q, want none before the check", got)
	}
	if got := titles(protocol.CodeActionTriggerKindInvoked); !slices.Contains(got, "Add ServiceMethod entries") {
		t.Errorf("invoked code actions: %q, want the MOD002 fix, once the check is done", got)
	}
	if got := titles(protocol.CodeActionTriggerKindAutomatic); !slices.Contains(got, "Add ServiceMethod entries") || slices.Contains(got, fixAllTitle) {
		t.Errorf("automatic code actions once checked: %q, want the MOD002 fix and not the whole file's", got)
	}
	if got := titles(protocol.CodeActionTriggerKindInvoked); !slices.Contains(got, fixAllTitle) {
		t.Errorf("invoked code actions: %q, want %q too", got, fixAllTitle)
	}
}
