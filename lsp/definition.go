package lsp

import (
	"context"

	"go.lsp.dev/protocol"
)

// definition goes from a service's name to its registration, from a
// manifest dependency to that module's manifest, from a table or column
// in SQL to the migration that defines it.
func definition(ctx context.Context, s *Server, p *protocol.DefinitionParams) (any, error) {
	ne, o, _, err := s.navAt(ctx, p.TextDocumentPositionParams)
	if err != nil || o == nil {
		return nil, err
	}
	enc := s.encoding()
	out := []protocol.Location{}
	for _, l := range ne.idx.Definition(o) {
		if loc, ok := ne.location(l, enc); ok {
			out = append(out, loc)
		}
	}
	return out, nil
}
