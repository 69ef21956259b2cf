// Package structtag reads struct tags with the position of each key:"value"
// pair and writes the edits that add or change them, for the rules that
// check tags (settings, response models).
package structtag

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
)

// Pair is one key:"value" pair of a struct tag, with its extent in the
// tag's text.
type Pair struct {
	Key, Value string
	// start and end delimit key:"value"; valStart and valEnd the quoted
	// value.
	Start, End, ValStart, ValEnd int
}

// Parse splits a struct tag in the conventional format (see
// reflect.StructTag) into its pairs; ok is false when the tag is not in
// that format.
func Parse(tag string) (pairs []Pair, ok bool) {
	i := 0
	for {
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		if i == len(tag) {
			return pairs, true
		}
		start := i
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == start || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			return nil, false
		}
		key := tag[start:i]
		i++
		valStart := i
		i++
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			return nil, false
		}
		i++
		value, err := strconv.Unquote(tag[valStart:i])
		if err != nil {
			return nil, false
		}
		pairs = append(pairs, Pair{Key: key, Value: value, Start: start, End: i, ValStart: valStart, ValEnd: i})
	}
}

// Field is the text of a field's tag and how it maps back to the
// source: offsets in the text are source offsets from the literal's first
// character when the literal is a raw string.
type Field struct {
	Lit  *ast.BasicLit // nil when the field has no tag
	Text string
	Raw  bool
}

// Of returns the tag of a struct field.
func Of(f *ast.Field) Field {
	if f.Tag == nil {
		return Field{}
	}
	text, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return Field{Lit: f.Tag}
	}
	return Field{Lit: f.Tag, Text: text, Raw: strings.HasPrefix(f.Tag.Value, "`")}
}

// span returns the source range of text[Start:end] in the tag literal, or
// of the whole literal when the literal is not a raw string.
func (t Field) Span(start, end int) (token.Pos, token.Pos) {
	if !t.Raw {
		return t.Lit.Pos(), t.Lit.End()
	}
	base := t.Lit.Pos() + 1
	return base + token.Pos(start), base + token.Pos(end)
}

// replace returns an edit that replaces text[Start:end] of the tag with
// repl (repl being tag text, not source).
func (t Field) Replace(start, end int, repl string) (analysis.TextEdit, bool) {
	if t.Raw {
		if strings.ContainsAny(repl, "`\r") {
			return analysis.TextEdit{}, false
		}
		pos, end := t.Span(start, end)
		return analysis.TextEdit{Pos: pos, End: end, NewText: []byte(repl)}, true
	}
	return t.Rewrite(t.Text[:start] + repl + t.Text[end:]), true
}

// rewrite replaces the whole literal with one holding text.
func (t Field) Rewrite(text string) analysis.TextEdit {
	lit := strconv.Quote(text)
	if !strings.ContainsAny(text, "`\r\n") {
		lit = "`" + text + "`"
	}
	return analysis.TextEdit{Pos: t.Lit.Pos(), End: t.Lit.End(), NewText: []byte(lit)}
}

// JSONKey is the name part of a json tag value.
func JSONKey(tag string) string {
	key, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	return key
}

// SnakeCase turns a Go field name into a JSON key: MaxAttempts is
// max_attempts, HTTPTimeout http_timeout, UserID user_id.
func SnakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// AddJSONTags returns the edits that give every listed field declaration a
// json key made from its name, keeping its other tags. A declaration of
// several names is split into one line per name. It returns false when the
// keys would collide with each other or with taken, or when a tag cannot
// be rewritten.
func AddJSONTags(fset *token.FileSet, fields []*ast.Field, taken map[string]bool) ([]analysis.TextEdit, bool) {
	used := map[string]bool{}
	for k := range taken {
		used[k] = true
	}
	var edits []analysis.TextEdit
	for _, f := range fields {
		tag := Of(f)
		if tag.Lit != nil && tag.Text == "" && f.Tag.Value != "``" && f.Tag.Value != `""` {
			return nil, false // the literal could not be read
		}
		var pairs []Pair
		if tag.Lit != nil {
			var ok bool
			if pairs, ok = Parse(tag.Text); !ok {
				return nil, false
			}
		}
		var keys []string
		for _, n := range f.Names {
			k := SnakeCase(n.Name)
			if used[k] {
				return nil, false
			}
			used[k] = true
			keys = append(keys, k)
		}
		newTag := func(key string) string {
			for _, p := range pairs {
				if p.Key == "json" { // a json tag without a Key: keep its options
					return tag.Text[:p.ValStart] + strconv.Quote(key+p.Value) + tag.Text[p.ValEnd:]
				}
			}
			if strings.TrimSpace(tag.Text) == "" {
				return `json:` + strconv.Quote(key)
			}
			return `json:` + strconv.Quote(key) + " " + tag.Text
		}
		if len(f.Names) == 1 {
			text := newTag(keys[0])
			if tag.Lit == nil {
				edits = append(edits, analysis.TextEdit{Pos: f.Type.End(), End: f.Type.End(), NewText: []byte(" `" + text + "`")})
			} else {
				edits = append(edits, tag.Rewrite(text))
			}
			continue
		}
		// A, B int: one declaration per name, so that each has its key.
		var typ bytes.Buffer
		if err := format.Node(&typ, fset, f.Type); err != nil {
			return nil, false
		}
		var b strings.Builder
		for i, n := range f.Names {
			if i > 0 {
				b.WriteString("\n")
			}
			lit := Field{Text: newTag(keys[i])}
			b.WriteString(n.Name + " " + typ.String() + " " + string(literal(lit.Text)))
		}
		end := f.Type.End()
		if f.Tag != nil {
			end = f.Tag.End()
		}
		edits = append(edits, analysis.TextEdit{Pos: f.Names[0].Pos(), End: end, NewText: []byte(b.String())})
	}
	return edits, true
}

func literal(text string) []byte {
	if strings.ContainsAny(text, "`\r\n") {
		return []byte(strconv.Quote(text))
	}
	return []byte("`" + text + "`")
}
