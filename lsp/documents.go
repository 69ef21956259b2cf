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
	// outOfSync says why text is not the editor's any more ("" while it
	// is): a change could not be applied.
	outOfSync string
}

// outOfSync tells whether a file is open with a text that is not the
// editor's.
func (s *Server) outOfSync(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[path]
	return d != nil && d.outOfSync != ""
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
	// A character past the end of its line means the line's end, as LSP
	// says; a line past the last one is no place in this text.
	if last := uint32(len(m.lines) - 1); r.Start.Line > last || r.End.Line > last {
		return nil, fmt.Errorf("range %d:%d-%d:%d is beyond the last line, %d", r.Start.Line, r.Start.Character, r.End.Line, r.End.Character, last)
	}
	if r.End.Line < r.Start.Line || r.End.Line == r.Start.Line && r.End.Character < r.Start.Character {
		return nil, fmt.Errorf("range end %d:%d is before its start %d:%d", r.End.Line, r.End.Character, r.Start.Line, r.Start.Character)
	}
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
