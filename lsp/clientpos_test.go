package lsp

import (
	"fmt"
	"strings"
	u16 "unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// The fake editor's own conversions between byte offsets and LSP
// positions, written apart from the server's mapper (position.go) so that
// a mistake there cannot cancel out in a test: lines end at "\n", "\r\n"
// or "\r", and a UTF-16 character is counted with unicode/utf16 (u16) over the
// line's runes (a UTF-8 one is a byte).

// clientLine is one line of a text: its content is text[start:end], its
// line ending runs to next.
type clientLine struct{ start, end, next int }

func clientLines(text string) []clientLine {
	var out []clientLine
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			out = append(out, clientLine{start, i, i + 1})
			start = i + 1
		case '\r':
			end := i
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			out = append(out, clientLine{start, end, i + 1})
			start = i + 1
		}
	}
	return append(out, clientLine{start, len(text), len(text)})
}

// units is the length of s in the encoding's units.
func units(s string, enc encoding) int {
	if enc == utf8Enc {
		return len(s)
	}
	return len(u16.Encode([]rune(s)))
}

// clientPosition is the position of byte offset off, which must start a
// character of a line's content or be the end of a line's content.
func clientPosition(text string, off int, enc encoding) (protocol.Position, error) {
	for i, ln := range clientLines(text) {
		if off < ln.start || off > ln.end {
			continue
		}
		if off < len(text) && off < ln.end && !utf8.RuneStart(text[off]) {
			return protocol.Position{}, fmt.Errorf("offset %d is inside a character", off)
		}
		return protocol.Position{Line: uint32(i), Character: uint32(units(text[ln.start:off], enc))}, nil
	}
	return protocol.Position{}, fmt.Errorf("offset %d of %d is in a line ending or past the text", off, len(text))
}

// clientOffset is the byte offset of a position. Positions a careful
// server never sends are errors: a line past the text's, a character past
// its line's content or inside a character (half a surrogate pair).
func clientOffset(text string, p protocol.Position, enc encoding) (int, error) {
	lines := clientLines(text)
	if int(p.Line) >= len(lines) {
		return 0, fmt.Errorf("line %d of a text of %d lines", p.Line, len(lines))
	}
	ln := lines[p.Line]
	content := text[ln.start:ln.end]
	n := 0
	for i, r := range content {
		if n == int(p.Character) {
			return ln.start + i, nil
		}
		w := 1
		if enc == utf8Enc {
			_, w = utf8.DecodeRuneInString(content[i:])
		} else if u16.RuneLen(r) == 2 {
			w = 2
		}
		if n+w > int(p.Character) {
			return 0, fmt.Errorf("%d:%d is inside the character %q", p.Line, p.Character, r)
		}
		n += w
	}
	if n == int(p.Character) {
		return ln.end, nil
	}
	return 0, fmt.Errorf("%d:%d is past the end of the line (%d %s units): %q", p.Line, p.Character, n, enc, strings.TrimSpace(content))
}
