package lsp

import (
	"fmt"
	"os"
	"path/filepath"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// document is an open buffer: what the editor shows, which is what gets
// analyzed.
type document struct {
	path    string
	version int32
	text    []byte
	m       *mapper // built on demand; nil after a change
}

func (d *document) mapper() *mapper {
	if d.m == nil {
		d.m = newMapper(d.text)
	}
	return d.m
}

// applyChanges applies didChange content changes in order: a change with a
// range replaces that range (positions in the negotiated encoding), one
// without replaces the whole text.
func applyChanges(text []byte, changes []protocol.TextDocumentContentChangeEvent, enc encoding) ([]byte, error) {
	for _, c := range changes {
		switch c := c.(type) {
		case *protocol.TextDocumentContentChangeWholeDocument:
			text = []byte(c.Text)
		case *protocol.TextDocumentContentChangePartial:
			var err error
			text, err = replaceRange(text, c.Range, c.Text, enc)
			if err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unknown content change %T", c)
		}
	}
	return text, nil
}

// replaceRange replaces the text between two positions.
func replaceRange(text []byte, r protocol.Range, newText string, enc encoding) ([]byte, error) {
	m := newMapper(text)
	start := m.offset(r.Start.Line, r.Start.Character, enc)
	end := m.offset(r.End.Line, r.End.Character, enc)
	if end < start {
		return nil, fmt.Errorf("range end %d:%d is before its start %d:%d", r.End.Line, r.End.Character, r.Start.Line, r.Start.Character)
	}
	out := make([]byte, 0, len(text)-(end-start)+len(newText))
	out = append(out, text[:start]...)
	out = append(out, newText...)
	out = append(out, text[end:]...)
	return out, nil
}

// pathOf converts a file URI to a clean absolute path.
func pathOf(u uri.URI) (string, error) {
	if !u.IsFile() {
		return "", fmt.Errorf("%s is not a file URI", u)
	}
	p := u.FsPath()
	if p == "" || !filepath.IsAbs(p) {
		return "", fmt.Errorf("%s has no absolute path", u)
	}
	return filepath.Clean(p), nil
}

func uriOf(path string) uri.URI { return uri.File(path) }

// readText returns a file's text: the open buffer, or the file on disk.
func (s *Server) readText(path string) ([]byte, int32, bool) {
	s.mu.Lock()
	d := s.docs[path]
	s.mu.Unlock()
	if d != nil {
		return d.text, d.version, true
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, false
	}
	return data, 0, false
}
