package lsp

import (
	"sort"
	"unicode/utf8"
)

// encoding is the unit in which a client counts a position's character:
// LSP's default is UTF-16 code units; a client may prefer UTF-8 bytes, the
// unit Go tools use.
type encoding int

const (
	utf16 encoding = iota
	utf8Enc
)

func (e encoding) String() string {
	if e == utf8Enc {
		return "utf-8"
	}
	return "utf-16"
}

// mapper converts between byte offsets into a text and LSP positions (a
// zero-based line and a character counted in the negotiated encoding).
// Lines end at "\n", "\r\n" or a lone "\r", as LSP says.
type mapper struct {
	text []byte
	// lines[i] is the offset of line i's first byte.
	lines []int
}

func newMapper(text []byte) *mapper {
	m := &mapper{text: text, lines: []int{0}}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			m.lines = append(m.lines, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			m.lines = append(m.lines, i+1)
		}
	}
	return m
}

// lineEnd is the offset where line i's content ends (before its line
// ending).
func (m *mapper) lineEnd(i int) int {
	if i+1 >= len(m.lines) {
		return len(m.text)
	}
	end := m.lines[i+1]
	if end > 0 && m.text[end-1] == '\n' {
		end--
	}
	if end > m.lines[i] && m.text[end-1] == '\r' {
		end--
	}
	return end
}

// offset converts a position to a byte offset. Positions past the end of a
// line mean the end of that line, and lines past the end of the text mean
// its end, as LSP asks; a character inside a character (half of a UTF-16
// surrogate pair) means that character's start.
func (m *mapper) offset(line, char uint32, enc encoding) int {
	if int(line) >= len(m.lines) {
		return len(m.text)
	}
	start, end := m.lines[line], m.lineEnd(int(line))
	if enc == utf8Enc {
		if uint64(char) >= uint64(end-start) {
			return end
		}
		return m.runeStart(start, end, start+int(char))
	}
	units := uint32(0)
	for off := start; off < end; {
		if units >= char {
			return off
		}
		r, size := utf8.DecodeRune(m.text[off:end])
		n := uint32(1)
		if r >= 0x10000 {
			n = 2
		}
		if units+n > char {
			return off // inside a surrogate pair
		}
		units += n
		off += size
	}
	return end
}

// position converts a byte offset to a position. An offset inside a line
// ending means the end of that line's content; an offset inside a
// multi-byte character means that character's start.
func (m *mapper) position(off int, enc encoding) (line, char uint32) {
	if off < 0 {
		off = 0
	}
	if off > len(m.text) {
		off = len(m.text)
	}
	i := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
	start, end := m.lines[i], m.lineEnd(i)
	if off > end {
		off = end
	}
	off = m.runeStart(start, end, off)
	if enc == utf8Enc {
		return uint32(i), uint32(off - start)
	}
	units := 0
	for p := start; p < off; {
		r, size := utf8.DecodeRune(m.text[p:off])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		p += size
	}
	return uint32(i), uint32(units)
}

// runeStart is the start of the character holding off, decoding the line
// [start, end) from its start as the conversions do (an invalid byte is a
// character of its own).
func (m *mapper) runeStart(start, end, off int) int {
	p := start
	for p < off {
		_, size := utf8.DecodeRune(m.text[p:end])
		if p+size > off {
			return p
		}
		p += size
	}
	return off
}

// goOffset converts a Go-style position (1-based line counted by "\n",
// 1-based byte column) to a byte offset, clamped to the text.
func goOffset(text []byte, line, col int) int {
	if line < 1 {
		return 0
	}
	off := 0
	for l := 1; l < line; l++ {
		i := indexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	lineEnd := off + indexByte(text[off:], '\n')
	if lineEnd < off {
		lineEnd = len(text)
	}
	off += max(col, 1) - 1
	return min(off, lineEnd)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
