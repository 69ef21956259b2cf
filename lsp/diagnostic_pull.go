package lsp

import (
	"context"
	"fmt"

	"go.lsp.dev/protocol"
)

// pullDiagnostics answers textDocument/diagnostic: the file's diagnostics
// once the check of its current text has finished (it is already
// scheduled: every change schedules one), "unchanged" when the client
// has them already.
func pullDiagnostics(ctx context.Context, s *Server, p *protocol.DocumentDiagnosticParams) (any, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if _, err := s.awaitResult(ctx, path); err != nil {
		return nil, err
	}
	items, _, _ := s.fileDiagnostics(path)
	s.mu.Lock()
	id := fmt.Sprintf("%d.%d", s.results[path].id, s.testRev[path])
	s.mu.Unlock()
	if p.PreviousResultID != nil && *p.PreviousResultID == id {
		return &protocol.RelatedUnchangedDocumentDiagnosticReport{
			UnchangedDocumentDiagnosticReport: protocol.UnchangedDocumentDiagnosticReport{Kind: "unchanged", ResultID: id},
		}, nil
	}
	if items == nil {
		items = []protocol.Diagnostic{}
	}
	return &protocol.RelatedFullDocumentDiagnosticReport{
		FullDocumentDiagnosticReport: protocol.FullDocumentDiagnosticReport{Kind: "full", ResultID: &id, Items: items},
	}, nil
}

// awaitResult waits until the file's recorded check is of its current
// text (the open buffer's version, or the file on disk when it is not
// open), scheduling a check of a file never checked, and returns it.
func (s *Server) awaitResult(ctx context.Context, path string) (*fileResult, error) {
	scheduled := false
	for {
		s.mu.Lock()
		r := s.results[path]
		d := s.docs[path]
		ch := s.resultsChanged
		s.mu.Unlock()
		if r != nil && (d == nil || r.open && r.version == d.version) {
			return r, nil
		}
		if r == nil && d == nil && !scheduled {
			// A file not open and never checked.
			s.sched.schedule(path)
			scheduled = true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
