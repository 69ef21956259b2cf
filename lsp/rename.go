package lsp

import (
	"context"
	"sort"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/modls/modls/nav"
)

// prepareRename accepts a service name (in a registration, a contract
// constant, a lookup or a manifest) and offers the name itself.
func prepareRename(ctx context.Context, s *Server, p *protocol.PrepareRenameParams) (any, error) {
	ne, o, _, err := s.navAt(ctx, p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	if o == nil || o.Kind != nav.Service {
		return nil, nil
	}
	r, ok := ne.rangeOf(o.File, o.Start, o.End, s.encoding())
	if !ok {
		return nil, nil
	}
	return &protocol.PrepareRenamePlaceholder{Range: r, Placeholder: o.Name}, nil
}

// rename renames a service everywhere its name is written, as one
// workspace edit.
func rename(ctx context.Context, s *Server, p *protocol.RenameParams) (any, error) {
	ne, o, _, err := s.navAt(ctx, p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "there is no service name here to rename")
	}
	locs, err := ne.idx.Rename(o, p.NewName)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%v", err)
	}
	enc := s.encoding()
	byFile := map[string][]protocol.TextEdit{}
	for _, l := range locs {
		r, ok := ne.rangeOf(l.File, l.Start, l.End, enc)
		if !ok {
			continue
		}
		byFile[l.File] = append(byFile[l.File], protocol.TextEdit{Range: r, NewText: p.NewName})
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	s.mu.Lock()
	caps := s.caps
	docs := map[string]*document{}
	for _, f := range files {
		docs[f] = s.docs[f]
	}
	s.mu.Unlock()
	we := &protocol.WorkspaceEdit{}
	for _, f := range files {
		one := s.textEdits(caps, f, docs[f], byFile[f])
		if caps.documentChange {
			we.DocumentChanges = append(we.DocumentChanges, one.DocumentChanges...)
		} else {
			if we.Changes == nil {
				we.Changes = map[protocolURI][]protocol.TextEdit{}
			}
			for u, e := range one.Changes {
				we.Changes[u] = e
			}
		}
	}
	return we, nil
}
