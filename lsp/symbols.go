package lsp

import (
	"context"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/nav"
	"github.com/modls/modls/workspace"
)

// documentSymbol outlines a manifest.json: each key with its value, the
// elements of its lists beneath it.
func documentSymbol(ctx context.Context, s *Server, p *protocol.DocumentSymbolParams) (any, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.DocumentSymbol{}
	if filepath.Base(path) != "manifest.json" {
		return out, nil
	}
	ne, err := s.navIndex(ctx, path)
	if err != nil || ne == nil {
		return out, err
	}
	m := ne.ws.Module(filepath.Dir(path))
	if m == nil || m.Object == nil || m.ManifestPath != path {
		return out, nil
	}
	enc := s.encoding()
	span := func(sp workspace.Span) protocol.Range {
		r, _ := ne.rangeOf(path, sp.Start.Offset, sp.End.Offset, enc)
		return r
	}
	for _, f := range m.Object.Fields {
		whole := span(workspace.Span{Start: f.KeyAt.Start, End: f.ValueAt.End})
		sym := protocol.DocumentSymbol{Name: f.Key, Kind: manifestKind(f.Key, f.Raw), Range: whole, SelectionRange: span(f.KeyAt)}
		if len(f.Elems) == 0 {
			detail := strings.TrimSpace(string(f.Raw))
			if len(detail) > 80 {
				detail = detail[:77] + "..."
			}
			sym.Detail = ptr(detail)
		}
		for _, el := range f.Elems {
			name := strings.Trim(string(m.ManifestData[el.Start.Offset:el.End.Offset]), `"`)
			kind := protocol.SymbolKindString
			switch f.Key {
			case "dependencies":
				kind = protocol.SymbolKindModule
			case "services":
				kind = protocol.SymbolKindInterface
			}
			sym.Children = append(sym.Children, protocol.DocumentSymbol{Name: name, Kind: kind, Range: span(el), SelectionRange: span(el)})
		}
		out = append(out, sym)
	}
	return out, nil
}

func manifestKind(key string, raw []byte) protocol.SymbolKind {
	switch {
	case key == "name":
		return protocol.SymbolKindModule
	case strings.HasPrefix(strings.TrimSpace(string(raw)), "["):
		return protocol.SymbolKindArray
	case strings.HasPrefix(strings.TrimSpace(string(raw)), `"`):
		return protocol.SymbolKindString
	case string(raw) == "true" || string(raw) == "false":
		return protocol.SymbolKindBoolean
	}
	return protocol.SymbolKindProperty
}

// workspaceSymbol finds the modules, services, routes and tables of every
// loaded workspace whose name contains the query.
func workspaceSymbol(ctx context.Context, s *Server, p *protocol.WorkspaceSymbolParams) (any, error) {
	s.mu.Lock()
	var roots []string
	for root := range s.sessions {
		roots = append(roots, root)
	}
	s.mu.Unlock()
	enc := s.encoding()
	out := []protocol.SymbolInformation{}
	for _, root := range roots {
		ne, err := s.navIndex(ctx, filepath.Join(root, "go.mod"))
		if err != nil || ne == nil {
			continue
		}
		for _, sym := range ne.idx.Symbols(p.Query) {
			loc, ok := ne.location(sym.Loc, enc)
			if !ok {
				continue
			}
			info := protocol.SymbolInformation{Location: loc}
			info.Name = sym.Name
			info.Kind = symbolKind(sym.Kind)
			if sym.Container != "" {
				info.ContainerName = ptr(sym.Container)
			}
			out = append(out, info)
		}
	}
	return out, nil
}

func symbolKind(k nav.Kind) protocol.SymbolKind {
	switch k {
	case nav.Module:
		return protocol.SymbolKindModule
	case nav.Service:
		return protocol.SymbolKindInterface
	case nav.Route:
		return protocol.SymbolKindMethod
	case nav.Table:
		return protocol.SymbolKindStruct
	}
	return protocol.SymbolKindVariable
}
