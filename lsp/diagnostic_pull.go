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
	id := s.resultID(path)
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
		if r != nil && (d == nil || r.open && r.version == d.version) || d != nil && d.outOfSync != "" {
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

// resultID names what a pull of the file answers: its check and its last
// test failures.
func (s *Server) resultID(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uint64(0)
	if r := s.results[path]; r != nil {
		id = r.id
	}
	return fmt.Sprintf("%d.%d", id, s.testRev[path])
}

// workspaceDiagnostics answers workspace/diagnostic: the findings of
// every file of every package of the workspace's Go modules, open or not
// (the Problems view of closed files). Packages never checked are checked
// first; a file the client already has (its previous result id) is
// reported unchanged.
func workspaceDiagnostics(ctx context.Context, s *Server, p *protocol.WorkspaceDiagnosticParams) (any, error) {
	known := map[string]string{}
	for _, r := range p.PreviousResultIds {
		if path, err := pathOf(r.URI); err == nil {
			known[path] = r.Value
		}
	}
	s.mu.Lock()
	entries := make([]*sessionEntry, 0, len(s.sessions))
	for _, root := range sortedKeys(s.sessions) {
		entries = append(entries, s.sessions[root])
	}
	s.mu.Unlock()
	var files []string
	for _, e := range entries {
		sess, err := e.wait(ctx)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if sess == nil {
			continue
		}
		for _, pkg := range sess.Files() {
			files = append(files, pkg...)
			// One file's check covers its package: wait for the
			// checks of the package's current texts.
			for _, f := range pkg {
				if _, err := s.awaitResult(ctx, f); err != nil {
					return nil, err
				}
			}
		}
	}
	items := make([]protocol.WorkspaceDocumentDiagnosticReport, 0, len(files))
	for _, path := range files {
		ds, version, _ := s.fileDiagnostics(path)
		id := s.resultID(path)
		var v *int32
		s.mu.Lock()
		if s.docs[path] != nil && version >= 0 {
			v = &version
		}
		s.mu.Unlock()
		if prev, ok := known[path]; ok && prev == id {
			items = append(items, &protocol.WorkspaceUnchangedDocumentDiagnosticReport{
				UnchangedDocumentDiagnosticReport: protocol.UnchangedDocumentDiagnosticReport{Kind: "unchanged", ResultID: id},
				URI:                               uriOf(path),
				Version:                           v,
			})
			continue
		}
		if ds == nil {
			ds = []protocol.Diagnostic{}
		}
		items = append(items, &protocol.WorkspaceFullDocumentDiagnosticReport{
			FullDocumentDiagnosticReport: protocol.FullDocumentDiagnosticReport{Kind: "full", ResultID: &id, Items: ds},
			URI:                          uriOf(path),
			Version:                      v,
		})
	}
	return &protocol.WorkspaceDiagnosticReport{Items: items}, nil
}
