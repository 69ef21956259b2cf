package codeactions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/modls/modls/workspace"
)

// The manifest edits below change a manifest.json in place: they touch only
// the bytes they must, so the file keeps its indentation, its key order,
// its one-line or multi-line arrays and its final newline. Each returns the
// edits for the file named name whose content is data; no edits and no
// error means there is nothing to change.

// AddToList appends the string value to the array under key. A one-line
// array stays on one line; a multi-line array gets a new line indented as
// its last element. A missing key is added as the object's last key,
// holding a one-element array; a null value becomes one. Nothing changes
// when the array already holds value.
func AddToList(name string, data []byte, key, value string) ([]Edit, error) {
	if err := checkUTF8(key, value); err != nil {
		return nil, err
	}
	obj, err := workspace.ParseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f, ok := obj.Field(key)
	if !ok {
		return insertField(name, data, obj, key, "["+quote(value)+"]"), nil
	}
	if string(f.Raw) == "null" {
		return []Edit{{File: name, Start: f.ValueAt.Start.Offset, End: f.ValueAt.End.Offset, New: "[" + quote(value) + "]"}}, nil
	}
	if !bytes.HasPrefix(f.Raw, []byte("[")) {
		return nil, fmt.Errorf("%s: %q is not an array", name, key)
	}
	if indexOf(data, f, value) >= 0 {
		return nil, nil
	}
	open, end := f.ValueAt.Start.Offset, f.ValueAt.End.Offset
	if len(f.Elems) == 0 {
		// [] or [ ] or a bracket pair around blank lines: one element.
		return []Edit{{File: name, Start: open + 1, End: end - 1, New: quote(value)}}, nil
	}
	last := f.Elems[len(f.Elems)-1]
	var sep string
	switch {
	case f.Elems[0].Start.Line > f.ValueAt.Start.Line || last.Start.Line > f.Elems[0].Start.Line:
		// Elements on lines of their own: a new line indented as the last.
		sep = "," + newline(data) + lineIndent(data, last.Start.Offset)
	case len(f.Elems) > 1:
		// One line: the separator the array already uses.
		sep = string(data[f.Elems[len(f.Elems)-2].End.Offset:last.Start.Offset])
	default:
		sep = ", "
	}
	return []Edit{{File: name, Start: last.End.Offset, End: last.End.Offset, New: sep + quote(value)}}, nil
}

// RemoveFromList removes every element equal to the string value from the
// array under key, with the separators that go with them, so that the
// remaining elements keep their layout. A missing key, a value that is not
// an array, or a value absent from it changes nothing.
func RemoveFromList(name string, data []byte, key, value string) ([]Edit, error) {
	obj, err := workspace.ParseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f, ok := obj.Field(key)
	if !ok || !bytes.HasPrefix(f.Raw, []byte("[")) {
		return nil, nil
	}
	remove := make([]bool, len(f.Elems))
	n := 0
	for i, el := range f.Elems {
		if s, ok := elemString(data, el); ok && s == value {
			remove[i] = true
			n++
		}
	}
	switch {
	case n == 0:
		return nil, nil
	case n == len(f.Elems):
		return []Edit{{File: name, Start: f.ValueAt.Start.Offset + 1, End: f.ValueAt.End.Offset - 1}}, nil
	}
	var edits []Edit
	for i := 0; i < len(f.Elems); {
		if !remove[i] {
			i++
			continue
		}
		j := i // the run of removed elements is [i, j]
		for j+1 < len(f.Elems) && remove[j+1] {
			j++
		}
		if j+1 < len(f.Elems) {
			// Up to the next kept element, which takes the run's place.
			edits = append(edits, Edit{File: name, Start: f.Elems[i].Start.Offset, End: f.Elems[j+1].Start.Offset})
		} else {
			// A run at the end: from the end of the kept element before it.
			edits = append(edits, Edit{File: name, Start: f.Elems[i-1].End.Offset, End: f.Elems[j].End.Offset})
		}
		i = j + 1
	}
	return edits, nil
}

// SetString sets key to the string value, replacing whatever value it has,
// or adds the key as the object's last key. Nothing changes when it already
// holds value.
func SetString(name string, data []byte, key, value string) ([]Edit, error) {
	if err := checkUTF8(key, value); err != nil {
		return nil, err
	}
	obj, err := workspace.ParseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f, ok := obj.Field(key)
	if !ok {
		return insertField(name, data, obj, key, quote(value)), nil
	}
	var cur string
	if json.Unmarshal(f.Raw, &cur) == nil && cur == value {
		return nil, nil
	}
	return []Edit{{File: name, Start: f.ValueAt.Start.Offset, End: f.ValueAt.End.Offset, New: quote(value)}}, nil
}

// insertField adds "key": raw after the object's last field, on a line of
// its own when the fields are on lines of their own.
func insertField(name string, data []byte, obj *workspace.Object, key, raw string) []Edit {
	field := quote(key) + ": " + raw
	if len(obj.Fields) == 0 && len(obj.Dups) == 0 {
		at := obj.Brace.End.Offset
		closing := bytes.IndexByte(data[at:], '}')
		if closing < 0 { // cannot happen: ParseObject read the object
			closing = 0
		}
		if bytes.Contains(data[at:at+closing], []byte("\n")) {
			indent := lineIndent(data, obj.Brace.Start.Offset)
			nl := newline(data)
			return []Edit{{File: name, Start: at, End: at + closing, New: nl + indent + "  " + field + nl + indent}}
		}
		return []Edit{{File: name, Start: at, End: at + closing, New: field}}
	}
	last := lastField(obj)
	sep := ", "
	if last.KeyAt.Start.Line > obj.Brace.Start.Line {
		sep = "," + newline(data) + lineIndent(data, last.KeyAt.Start.Offset)
	}
	return []Edit{{File: name, Start: last.ValueAt.End.Offset, End: last.ValueAt.End.Offset, New: sep + field}}
}

// lastField is the field, duplicates included, that ends last.
func lastField(obj *workspace.Object) workspace.Field {
	var last workspace.Field
	for _, fs := range [][]workspace.Field{obj.Fields, obj.Dups} {
		for _, f := range fs {
			if f.ValueAt.End.Offset > last.ValueAt.End.Offset {
				last = f
			}
		}
	}
	return last
}

// newline is the file's line ending: CRLF if it has one, else LF.
func newline(data []byte) string {
	if bytes.Contains(data, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// lineIndent is the run of spaces and tabs that starts the line holding
// offset, up to offset.
func lineIndent(data []byte, offset int) string {
	start := bytes.LastIndexByte(data[:offset], '\n') + 1
	end := start
	for end < offset && (data[end] == ' ' || data[end] == '\t') {
		end++
	}
	return string(data[start:end])
}

// indexOf is the index of the first element of f equal to the string
// value, or -1.
func indexOf(data []byte, f workspace.Field, value string) int {
	for i, el := range f.Elems {
		if s, ok := elemString(data, el); ok && s == value {
			return i
		}
	}
	return -1
}

func elemString(data []byte, el workspace.Span) (string, bool) {
	var s string
	err := json.Unmarshal(data[el.Start.Offset:el.End.Offset], &s)
	return s, err == nil
}

// checkUTF8 refuses text that JSON cannot hold as it is.
func checkUTF8(key, value string) error {
	if !utf8.ValidString(key) || !utf8.ValidString(value) {
		return fmt.Errorf("%q: %q is not valid UTF-8", key, value)
	}
	return nil
}

// quote writes s as a JSON string, leaving <, > and & as they are.
func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
