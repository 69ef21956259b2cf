package lsp

import (
	"fmt"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// protocolURI is the URI type of the protocol's fields.
type protocolURI = uri.URI

func protocolMarshal(v any) ([]byte, error) { return protocol.Marshal(v) }

func protocolUnmarshal(data []byte, v any) error { return protocol.Unmarshal(data, v) }

// anyValue encodes v as an LSPAny.
func anyValue(v any) protocol.LSPAny {
	data, err := protocol.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding %T: %v", v, err))
	}
	return protocol.LSPAny(data)
}

func parseURI(s string) (uri.URI, error) { return uri.Parse(s) }

// tokenKey identifies a progress token, string or number.
func tokenKey(t protocol.ProgressToken) string {
	switch v := t.(type) {
	case protocol.String:
		return "s:" + string(v)
	case protocol.Integer:
		return fmt.Sprintf("n:%d", int32(v))
	}
	return ""
}
