package lsp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
)

// FuzzReadMessages feeds arbitrary bytes to the server's message reader:
// it must never panic or hang, must answer every unusable frame and end
// only at the end of the input.
func FuzzReadMessages(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 58\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"))
	f.Add([]byte("Content-Length: 5\r\n\r\n[1,2]Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("garbage\nContent-Length: x\n\nContent-Length: 3\r\n\r\n{\"a"))
	f.Add([]byte("Content-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("\r\n\r\nContent-Type: a\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		answered := 0
		s := newStream(fuzzConn{bytes.NewReader(data), &out}, func(error) { answered++ })
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more messages than bytes")
			}
			msg, _, err := s.Read(context.Background())
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("Read ended with %v", err)
				}
				break
			}
			if msg == nil {
				t.Fatal("nil message without error")
			}
		}
		s.Close() // flushes the answers
		// Every error answer is a well-formed frame.
		r := newFrameReader(&out)
		for n := 0; n < answered; n++ {
			body, bad, err := r.next()
			if err != nil || bad != nil {
				t.Fatalf("answer %d: %v %v", n, bad, err)
			}
			msg, err := jsonrpc2.DecodeMessage(body)
			if err != nil {
				t.Fatalf("answer %d is not a message: %v: %s", n, err, body)
			}
			if resp, ok := msg.(*jsonrpc2.Response); !ok || resp.Err() == nil {
				t.Fatalf("answer %d is not an error response: %s", n, body)
			}
		}
	})
}

// FuzzPositions checks the conversions between byte offsets and LSP
// positions on arbitrary text (invalid UTF-8 included): they never panic,
// positions round-trip for every character boundary, and UTF-16 columns
// agree with a count by utf16 code units.
func FuzzPositions(f *testing.F) {
	f.Add([]byte("hello\nworld"), uint32(1), uint32(3))
	f.Add([]byte("a\r\nñ😀b\rc"), uint32(1), uint32(2))
	f.Add([]byte("😀😀\n\n"), uint32(0), uint32(1))
	f.Add([]byte("\xff\xfe\x80a\n\xf0\x9f"), uint32(1), uint32(9))
	f.Fuzz(func(t *testing.T, text []byte, line, char uint32) {
		m := newMapper(text)
		for _, enc := range []encoding{utf16, utf8Enc} {
			off := m.offset(line, char, enc)
			if off < 0 || off > len(text) {
				t.Fatalf("offset %d out of [0,%d]", off, len(text))
			}
			// An offset from a position maps back to a position at or
			// before the one asked for, on the same line if that exists.
			l, c := m.position(off, enc)
			if int(line) < len(m.lines) && (l != line || c > char) {
				t.Fatalf("%s: position %d:%d → offset %d → %d:%d", enc, line, char, off, l, c)
			}
			if m.offset(l, c, enc) != off {
				t.Fatalf("%s: offset %d → %d:%d → %d", enc, off, l, c, m.offset(l, c, enc))
			}
		}
		// Every character boundary outside a line ending round-trips.
		for off := 0; off <= len(text); {
			for _, enc := range []encoding{utf16, utf8Enc} {
				l, c := m.position(off, enc)
				if back := m.offset(l, c, enc); back != off && !inLineEnding(text, off) {
					t.Fatalf("%s: offset %d → %d:%d → %d in %q", enc, off, l, c, back, text)
				}
			}
			if off == len(text) {
				break
			}
			_, size := utf8.DecodeRune(text[off:])
			off += size
		}
		// UTF-16 columns count code units of the line's text.
		if utf8.Valid(text) && !bytes.ContainsRune(text, '\r') {
			lines := strings.Split(string(text), "\n")
			for i, ln := range lines {
				_, c := m.position(m.lines[i]+len(ln), utf16)
				units := 0
				for _, r := range ln {
					units++
					if r >= 0x10000 {
						units++
					}
				}
				if int(c) != units {
					t.Fatalf("line %d %q: end column %d, want %d", i, ln, c, units)
				}
			}
		}
		// Applying a range edit through positions equals a byte splice.
		if len(text) > 0 {
			a, b := int(line)%(len(text)+1), int(char)%(len(text)+1)
			a, b = min(a, b), max(a, b)
			for _, enc := range []encoding{utf16, utf8Enc} {
				if inLineEnding(text, a) || inLineEnding(text, b) || !boundary(text, a) || !boundary(text, b) {
					continue
				}
				r := offsetRange(m, a, b, enc)
				got, err := replaceRange(text, r, "X", enc)
				if err != nil {
					t.Fatal(err)
				}
				want := append(append(append([]byte(nil), text[:a]...), 'X'), text[b:]...)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: replacing [%d,%d) of %q gave %q", enc, a, b, text, got)
				}
			}
		}
	})
}

// boundary tells whether off starts a character as the mapper decodes.
func boundary(text []byte, off int) bool {
	for p := 0; p < len(text); {
		if p == off {
			return true
		}
		if p > off {
			return false
		}
		_, size := utf8.DecodeRune(text[p:])
		p += size
	}
	return off == len(text)
}

// inLineEnding tells whether off is between the "\r" and "\n" of a CRLF.
func inLineEnding(text []byte, off int) bool {
	return off > 0 && off < len(text) && text[off-1] == '\r' && text[off] == '\n'
}

type fuzzConn struct {
	io.Reader
	io.Writer
}

func (fuzzConn) Close() error { return nil }
