package lsp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/codeactions"
)

// fixAllKind is the code action kind of "apply every safe fix of the file".
const fixAllKind protocol.CodeActionKind = "source.fixAll.modls"

// fixAllTitle is the title of that action.
const fixAllTitle = "Apply all safe modls fixes"

// codeActionWait bounds how long a code-action request waits for the
// check of the newest text before answering from what it has.
const codeActionWait = 10 * time.Second

// suppressReason is the reason a suppress action writes, for the user to
// replace.
const suppressReason = "TODO: say why this finding does not apply"

func codeAction(ctx context.Context, s *Server, p *protocol.CodeActionParams) (any, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	// A request right after an edit (or the opening of a new file) is
	// for the text the check in flight is checking: wait for it, up to a
	// ceiling, rather than answer with nothing. A request the editor made
	// on its own (the light bulb after a change, triggerKind Automatic) is
	// answered at once from what is checked: the editor asks again when
	// the check's diagnostics arrive, and they are always published.
	if p.Context.TriggerKind != protocol.CodeActionTriggerKindAutomatic {
		wctx, cancel := context.WithTimeout(ctx, codeActionWait)
		_, _ = s.awaitResult(wctx, path)
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	r := s.results[path]
	d := s.docs[path]
	caps := s.caps
	s.mu.Unlock()
	out := []protocol.CommandOrCodeAction{}
	if r == nil || (d != nil && (!r.open || r.version != d.version || d.outOfSync != "")) {
		// Nothing checked yet, or the results are for older text: their
		// offsets would edit the wrong bytes.
		return out, nil
	}
	text := r.text
	if text == nil {
		text, _, _ = s.readText(path)
	}
	m := newMapper(text)
	rs := m.offset(p.Range.Start.Line, p.Range.Start.Character, caps.enc)
	re := m.offset(p.Range.End.Line, p.Range.End.Character, caps.enc)
	want := kindFilter(p.Context.Only)

	if want(protocol.CodeActionKindQuickFix) {
		for _, cd := range r.diags {
			ds := goOffset(text, cd.Line, cd.Column)
			de := ds
			if cd.EndLine > 0 {
				de = max(goOffset(text, cd.EndLine, cd.EndColumn), ds)
			}
			if ds > re || rs > de {
				continue
			}
			pd := s.toProtocol(cd, text, m, caps)
			for _, f := range cd.Fixes {
				edit, ok := s.workspaceEdit(caps, []checker.Fix{f}, cd.Rule)
				if !ok {
					continue
				}
				a := &protocol.CodeAction{
					Title:       f.Message,
					Kind:        ptr(protocol.CodeActionKindQuickFix),
					Diagnostics: []protocol.Diagnostic{pd},
					Edit:        edit,
				}
				if f.Safe && len(cd.Fixes) == 1 {
					a.IsPreferred = ptr(true)
				}
				out = append(out, a)
			}
			if strings.HasSuffix(path, ".go") && strings.HasPrefix(cd.Rule, "MOD") {
				if a := s.suppressAction(caps, path, d, text, m, cd, pd); a != nil {
					out = append(out, a)
				}
			}
		}
	}
	// The source action that fixes the whole file is for a request that
	// asks for source actions (on save, the Source Action menu) or one the
	// user made; the light bulb's own requests do not show source actions
	// (VS Code drops them), and formatting every fix of the file for each
	// would cost most of the request.
	automatic := p.Context.TriggerKind == protocol.CodeActionTriggerKindAutomatic && len(p.Context.Only) == 0
	if want(fixAllKind) && !automatic {
		var safe []checker.Fix
		for _, cd := range r.diags {
			for _, f := range cd.Fixes {
				if f.Safe {
					safe = append(safe, f)
				}
			}
		}
		if len(safe) > 0 {
			if edit, ok := s.workspaceEdit(caps, safe, ""); ok {
				out = append(out, &protocol.CodeAction{
					Title: fixAllTitle,
					Kind:  ptr(fixAllKind),
					Edit:  edit,
				})
			}
		}
	}
	return out, nil
}

// kindFilter says which kinds the client asked for: all when it named
// none; otherwise a kind matches a requested kind or one of its parents
// ("source" covers "source.fixAll.modls").
func kindFilter(only []protocol.CodeActionKind) func(protocol.CodeActionKind) bool {
	return func(k protocol.CodeActionKind) bool {
		if len(only) == 0 {
			return true
		}
		for _, o := range only {
			if k == o || strings.HasPrefix(string(k), string(o)+".") {
				return true
			}
		}
		return false
	}
}

// suppressAction inserts "//modls:ignore MODxxx <reason>" on a line of its
// own above the finding, indented like it.
func (s *Server) suppressAction(caps clientCaps, path string, d *document, text []byte, m *mapper, cd checker.Diagnostic, pd protocol.Diagnostic) *protocol.CodeAction {
	lineStart := goOffset(text, cd.Line, 1)
	indent := lineStart
	for indent < len(text) && (text[indent] == ' ' || text[indent] == '\t') {
		indent++
	}
	insert := string(text[lineStart:indent]) + "//modls:ignore " + cd.Rule + " " + suppressReason + "\n"
	pos := offsetRange(m, lineStart, lineStart, caps.enc)
	edit := s.textEdits(caps, path, d, []protocol.TextEdit{{Range: pos, NewText: insert}})
	return &protocol.CodeAction{
		Title:       fmt.Sprintf("Suppress %s with a reason", cd.Rule),
		Kind:        ptr(protocol.CodeActionKindQuickFix),
		Diagnostics: []protocol.Diagnostic{pd},
		Edit:        edit,
	}
}

// textEdits wraps edits of one file in a WorkspaceEdit.
func (s *Server) textEdits(caps clientCaps, path string, d *document, edits []protocol.TextEdit) *protocol.WorkspaceEdit {
	if !caps.documentChange {
		return &protocol.WorkspaceEdit{Changes: map[protocolURI][]protocol.TextEdit{uriOf(path): edits}}
	}
	var version *int32
	if d != nil {
		version = ptr(d.version)
	}
	elems := make([]protocol.TextDocumentEditElement, len(edits))
	for i := range edits {
		elems[i] = &edits[i]
	}
	return &protocol.WorkspaceEdit{DocumentChanges: []protocol.DocumentChange{&protocol.TextDocumentEdit{
		TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uriOf(path)}, Version: version},
		Edits:        elems,
	}}}
}

// workspaceEdit applies fixes the way `modls check --fix` does (in order,
// skipping one that overlaps a fix already taken, Go files formatted) and
// expresses the result as a WorkspaceEdit: one edit per changed file, and a
// CreateFile for a file that does not exist. ok is false when the fixes
// cannot be offered: they create a file and the client cannot, or they
// edit an open buffer whose results are stale.
func (s *Server) workspaceEdit(caps clientCaps, fixes []checker.Fix, rule string) (*protocol.WorkspaceEdit, bool) {
	var cfixes []codeactions.Fix
	for _, f := range fixes {
		cf := codeactions.Fix{Rule: rule, Title: f.Message, Safe: f.Safe}
		for _, e := range f.Edits {
			cf.Edits = append(cf.Edits, codeactions.Edit{File: e.File, Start: e.Offset, End: e.EndOffset, New: e.NewText})
		}
		cfixes = append(cfixes, cf)
	}
	s.mu.Lock()
	docs := map[string]*document{}
	for _, f := range cfixes {
		for _, name := range f.Files() {
			if d := s.docs[name]; d != nil {
				if r := s.results[name]; r == nil || !r.open || r.version != d.version {
					s.mu.Unlock()
					return nil, false
				}
				docs[name] = d
			}
		}
	}
	s.mu.Unlock()
	current := map[string][]byte{}
	exists := map[string]bool{}
	read := func(name string) ([]byte, error) {
		if d := docs[name]; d != nil {
			current[name], exists[name] = d.text, true
			return d.text, nil
		}
		data, err := os.ReadFile(name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			return nil, err
		}
		current[name], exists[name] = data, true
		return data, nil
	}
	changed, _, err := codeactions.Apply(read, cfixes)
	if err != nil {
		s.log.Printf("applying fixes: %v", err)
		return nil, false
	}
	names := make([]string, 0, len(changed))
	for name := range changed {
		names = append(names, name)
	}
	sort.Strings(names)
	we := &protocol.WorkspaceEdit{}
	for _, name := range names {
		after := changed[name]
		if !exists[name] {
			if !caps.createFiles {
				return nil, false
			}
			we.DocumentChanges = append(we.DocumentChanges,
				&protocol.CreateFile{Kind: "create", URI: uriOf(name), Options: &protocol.CreateFileOptions{IgnoreIfExists: ptr(true)}},
				&protocol.TextDocumentEdit{
					TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uriOf(name)}},
					Edits:        []protocol.TextDocumentEditElement{&protocol.TextEdit{NewText: string(after)}},
				})
			continue
		}
		before := current[name]
		edit := minimalEdit(before, after, caps.enc)
		sub := s.textEdits(caps, name, docs[name], []protocol.TextEdit{edit})
		if caps.documentChange {
			we.DocumentChanges = append(we.DocumentChanges, sub.DocumentChanges...)
		} else {
			if we.Changes == nil {
				we.Changes = map[protocolURI][]protocol.TextEdit{}
			}
			for u, es := range sub.Changes {
				we.Changes[u] = append(we.Changes[u], es...)
			}
		}
	}
	if len(we.DocumentChanges) == 0 && len(we.Changes) == 0 {
		return nil, false
	}
	return we, true
}

// minimalEdit is one edit turning before into after: the span between
// their common prefix and suffix, on character boundaries.
func minimalEdit(before, after []byte, enc encoding) protocol.TextEdit {
	p := 0
	for p < len(before) && p < len(after) && before[p] == after[p] {
		p++
	}
	sfx := 0
	for sfx < len(before)-p && sfx < len(after)-p && before[len(before)-1-sfx] == after[len(after)-1-sfx] {
		sfx++
	}
	m := newMapper(before)
	start := m.runeStartAt(p)
	end := len(before) - sfx
	// Extend the end to a character boundary of before.
	for end < len(before) && !isBoundary(before, end) {
		end++
	}
	newEnd := len(after) - (len(before) - end)
	return protocol.TextEdit{
		Range:   offsetRange(m, start, end, enc),
		NewText: string(after[start:newEnd]),
	}
}

// runeStartAt is the start of the character holding off.
func (m *mapper) runeStartAt(off int) int {
	for off > 0 && off < len(m.text) && !isBoundary(m.text, off) {
		off--
	}
	return off
}

// isBoundary tells whether off starts a character (or ends the text) and
// is not inside a "\r\n".
func isBoundary(b []byte, off int) bool {
	if off <= 0 || off >= len(b) {
		return true
	}
	if b[off] == '\n' && b[off-1] == '\r' {
		return false
	}
	return b[off]&0xC0 != 0x80
}
