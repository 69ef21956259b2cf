package lsp

import (
	"context"

	"go.lsp.dev/protocol"
)

// hover describes the service, module, setting, route, table or column
// named under the cursor, from the navigation index.
func hover(ctx context.Context, s *Server, p *protocol.HoverParams) (any, error) {
	ne, o, _, err := s.navAt(ctx, p.TextDocumentPositionParams)
	if err != nil || o == nil {
		return nil, err
	}
	text := ne.idx.Hover(o)
	if text == "" {
		return nil, nil
	}
	h := &protocol.Hover{Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}}
	if r, ok := ne.rangeOf(o.File, o.Start, o.End, s.encoding()); ok {
		h.Range = &r
	}
	return h, nil
}
