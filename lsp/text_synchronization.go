package lsp

import (
	"context"
	"fmt"

	"go.lsp.dev/protocol"
)

// The text synchronization notifications run in order on the read loop:
// each updates the buffer, hands it to the checker as an overlay and
// schedules a check, without waiting for it.

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
	return nil, nil
}

func didChange(ctx context.Context, s *Server, p *protocol.DidChangeTextDocumentParams) (any, error) {
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
	text, err := applyChanges(d.text, p.ContentChanges, s.caps.enc)
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("didChange of %s: %w", path, err)
	}
	s.docs[path] = &document{path: path, version: p.TextDocument.Version, text: text}
	s.setOverlayLocked(e, path, text)
	// Test failures point at lines of the old text.
	delete(s.testDiags, path)
	s.mu.Unlock()
	s.sched.schedule(path)
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
