package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// The text synchronization notifications run in order on the read loop:
// each updates the buffer, hands it to the checker as an overlay and
// schedules a check, without waiting for it. The check, readied on this
// core, starts at once: the read loop yields it the core (it would
// otherwise wait for the loop to block reading the next message, or for
// another core).

func didOpen(ctx context.Context, s *Server, p *protocol.DidOpenTextDocumentParams) (any, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	e := s.sessionOf(path)
	s.mu.Lock()
	s.docs[path] = &document{path: path, version: p.TextDocument.Version, text: []byte(p.TextDocument.Text)}
	s.setOverlayLocked(e, path, []byte(p.TextDocument.Text))
	s.mu.Unlock()
	s.sched.schedule(path)
	runtime.Gosched()
	return nil, nil
}

// didChange applies a change to its buffer. A change that cannot be
// applied (a range whose start is after its end, or past the last line;
// a version that is missing, null or not above the buffer's) means the
// editor's text and the server's differ: the user is told, the file's
// diagnostics are cleared, and it is neither checked nor given
// diagnostics, quick fixes or lenses until the editor sends its whole
// text (a change without a range, or a close and an open).
func didChange(ctx context.Context, s *Server, raw jsonrpc2.RawMessage) (any, error) {
	var probe struct {
		TextDocument map[string]json.RawMessage `json:"textDocument"`
	}
	_ = json.Unmarshal(raw, &probe)
	version := probe.TextDocument["version"]
	hasVersion := len(version) > 0 && string(version) != "null"
	if !hasVersion && probe.TextDocument != nil {
		// Decoded without it, the change is refused below.
		var all map[string]json.RawMessage
		_ = json.Unmarshal(raw, &all)
		probe.TextDocument["version"] = json.RawMessage("0")
		all["textDocument"], _ = json.Marshal(probe.TextDocument)
		raw, _ = json.Marshal(all)
	}
	var p protocol.DidChangeTextDocumentParams
	if err := protocolUnmarshal(raw, &p); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	e := s.sessionOf(path)
	s.mu.Lock()
	d := s.docs[path]
	if d == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("didChange of %s, which is not open", path)
	}
	// Changes before the last whole text do not matter.
	changes, whole := p.ContentChanges, false
	for i := len(changes) - 1; i >= 0; i-- {
		if _, ok := changes[i].(*protocol.TextDocumentContentChangeWholeDocument); ok {
			changes, whole = changes[i:], true
			break
		}
	}
	if d.outOfSync != "" && !whole {
		s.mu.Unlock()
		return nil, nil // the text it changes is not known
	}
	var reason string
	var text []byte
	switch v := p.TextDocument.Version; {
	case !hasVersion:
		reason = "a change came without a version"
	case !whole && v <= d.version:
		reason = fmt.Sprintf("version %d came after version %d", v, d.version)
	default:
		text, err = applyChanges(d.text, changes, s.caps.enc)
		if err != nil {
			reason = err.Error()
		}
	}
	if reason != "" {
		wasInSync := d.outOfSync == ""
		s.docs[path] = &document{path: path, version: d.version, text: d.text, outOfSync: reason}
		delete(s.testDiags, path)
		s.mu.Unlock()
		s.log.Printf("didChange of %s: %s; the file is out of sync until its whole text comes", path, reason)
		if wasInSync {
			s.showMessage(protocol.MessageTypeWarning, "modls: %s is out of sync with the editor (%s): its diagnostics are hidden until the file is reopened", filepath.Base(path), reason)
			s.publish(path)
		}
		return nil, nil
	}
	s.docs[path] = &document{path: path, version: p.TextDocument.Version, text: text}
	s.setOverlayLocked(e, path, text)
	// Test failures point at lines of the old text.
	delete(s.testDiags, path)
	s.mu.Unlock()
	s.sched.schedule(path)
	runtime.Gosched()
	return nil, nil
}

func didClose(ctx context.Context, s *Server, p *protocol.DidCloseTextDocumentParams) (any, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	e := s.sessionOf(path)
	s.mu.Lock()
	delete(s.docs, path)
	delete(s.early, path)
	s.setOverlayLocked(e, path, nil)
	s.mu.Unlock()
	// The file on disk counts again: check it, so that what is shown
	// matches what is saved.
	s.sched.schedule(path)
	return nil, nil
}

func didSave(ctx context.Context, s *Server, p *protocol.DidSaveTextDocumentParams) (any, error) {
	// The buffer is already what gets analyzed; saving changes nothing the
	// checker sees.
	return nil, nil
}

// setOverlayLocked hands a buffer to the file's session (nil forgets it).
// The caller holds s.mu.
func (s *Server) setOverlayLocked(e *sessionEntry, path string, data []byte) {
	if e != nil && e.session != nil {
		e.session.SetOverlay(path, data)
	}
}
