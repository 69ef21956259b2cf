package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Pos is a position in a file: a byte offset and the 1-based line and
// column (in bytes, as Go tools count them).
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// Span is the extent of a JSON key or value.
type Span struct{ Start, End Pos }

// Field is one top-level key of a JSON object and its value.
type Field struct {
	Key   string
	KeyAt Span
	// Raw is the value's text and ValueAt its extent.
	Raw     json.RawMessage
	ValueAt Span
	// Elems holds the extent of each element when the value is an array.
	Elems []Span
}

// Object is a JSON object read with the positions of its keys and values.
type Object struct {
	Fields []Field
	// Dups holds keys that appear more than once, in order of appearance
	// of their second and later occurrences.
	Dups []Field
	// Brace is the position of the opening brace.
	Brace Span
}

// Field returns the first field with the given key.
func (o *Object) Field(key string) (Field, bool) {
	for _, f := range o.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// SyntaxError is malformed JSON at a position.
type SyntaxError struct {
	At  Pos
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.At.Line, e.At.Col, e.Msg) }

// lineIndex converts byte offsets to line and column.
type lineIndex []int // offsets of line starts

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) pos(off int) Pos {
	lo, hi := 0, len(li)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if li[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return Pos{Offset: off, Line: lo + 1, Col: off - li[lo] + 1}
}

// ParseObject reads data as one JSON object, recording where each top-level
// key and value is. Nested values are kept raw. A syntax error is placed at
// the start of the token that could not be read.
func ParseObject(data []byte) (*Object, error) {
	p := &objectParser{data: data, li: newLineIndex(data), dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	return p.parse()
}

type objectParser struct {
	data []byte
	li   lineIndex
	dec  *json.Decoder
}

// next skips whitespace and separators to the start of the next token.
func (p *objectParser) next() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// token reads one token and returns where it starts.
func (p *objectParser) token() (json.Token, int, error) {
	start := p.next()
	tok, err := p.dec.Token()
	if err != nil {
		msg := err.Error()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "unexpected end of JSON"
			start = len(p.data)
		}
		return nil, start, &SyntaxError{At: p.li.pos(start), Msg: msg}
	}
	return tok, start, nil
}

// value reads one whole value and returns its extent.
func (p *objectParser) value() (Span, error) {
	tok, start, err := p.token()
	if err != nil {
		return Span{}, err
	}
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		for depth := 1; depth > 0; {
			tok, _, err := p.token()
			if err != nil {
				return Span{}, err
			}
			if d, ok := tok.(json.Delim); ok {
				if d == '{' || d == '[' {
					depth++
				} else {
					depth--
				}
			}
		}
	}
	return Span{p.li.pos(start), p.li.pos(int(p.dec.InputOffset()))}, nil
}

func (p *objectParser) parse() (*Object, error) {
	if len(bytes.TrimSpace(p.data)) == 0 {
		return nil, &SyntaxError{At: p.li.pos(0), Msg: "file is empty; want a JSON object"}
	}
	tok, start, err := p.token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &SyntaxError{At: p.li.pos(start), Msg: "want a JSON object"}
	}
	obj := &Object{Brace: Span{p.li.pos(start), p.li.pos(start + 1)}}
	seen := map[string]bool{}
	for p.dec.More() {
		tok, kstart, err := p.token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		f := Field{Key: key, KeyAt: Span{p.li.pos(kstart), p.li.pos(int(p.dec.InputOffset()))}}
		vstart := p.next()
		if vstart < len(p.data) && p.data[vstart] == '[' {
			if _, _, err := p.token(); err != nil {
				return nil, err
			}
			for p.dec.More() {
				el, err := p.value()
				if err != nil {
					return nil, err
				}
				f.Elems = append(f.Elems, el)
			}
			if _, _, err := p.token(); err != nil {
				return nil, err
			}
			f.ValueAt = Span{p.li.pos(vstart), p.li.pos(int(p.dec.InputOffset()))}
		} else if f.ValueAt, err = p.value(); err != nil {
			return nil, err
		}
		f.Raw = json.RawMessage(p.data[f.ValueAt.Start.Offset:f.ValueAt.End.Offset])
		if seen[key] {
			obj.Dups = append(obj.Dups, f)
			continue
		}
		seen[key] = true
		obj.Fields = append(obj.Fields, f)
	}
	if _, _, err := p.token(); err != nil {
		return nil, err
	}
	if rest := p.next(); rest < len(p.data) {
		return nil, &SyntaxError{At: p.li.pos(rest), Msg: "unexpected data after the JSON object"}
	}
	return obj, nil
}
