package lsp

import (
	"context"

	"go.lsp.dev/protocol"
)

// references lists every place that names the thing under the cursor:
// a service's lookups, registrations, contract constants and manifests;
// a module's dependents; the queries and migrations naming a table or
// column.
func references(ctx context.Context, s *Server, p *protocol.ReferenceParams) (any, error) {
	ne, o, _, err := s.navAt(ctx, p.TextDocumentPositionParams)
	if err != nil || o == nil {
		return nil, err
	}
	enc := s.encoding()
	out := []protocol.Location{}
	for _, r := range ne.idx.References(o, p.Context.IncludeDeclaration) {
		if loc, ok := ne.location(r.Loc(), enc); ok {
			out = append(out, loc)
		}
	}
	return out, nil
}
