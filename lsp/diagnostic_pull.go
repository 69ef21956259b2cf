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
	scheduled := false
	for {
		s.mu.Lock()
		r := s.results[path]
		d := s.docs[path]
		ch := s.resultsChanged
		s.mu.Unlock()
		fresh := r != nil && (d == nil || r.open && r.version == d.version)
		if fresh {
			break
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
