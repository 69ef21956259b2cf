package settingsschema

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

// tagPair is one key:"value" pair of a struct tag, with its extent in the
// tag's text.
type tagPair struct {
	key, value string
	// start and end delimit key:"value"; valStart and valEnd the quoted
	// value.
	start, end, valStart, valEnd int
}

// parseTag splits a struct tag in the conventional format (see
// reflect.StructTag) into its pairs; ok is false when the tag is not in
// that format.
func parseTag(tag string) (pairs []tagPair, ok bool) {
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
		pairs = append(pairs, tagPair{key: key, value: value, start: start, end: i, valStart: valStart, valEnd: i})
	}
}

// fieldTag is the text of a field's tag and how it maps back to the
// source: offsets in the text are source offsets from the literal's first
// character when the literal is a raw string.
type fieldTag struct {
	lit  *ast.BasicLit // nil when the field has no tag
	text string
	raw  bool
}

func tagOf(f *ast.Field) fieldTag {
	if f.Tag == nil {
		return fieldTag{}
	}
	text, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return fieldTag{lit: f.Tag}
	}
	return fieldTag{lit: f.Tag, text: text, raw: strings.HasPrefix(f.Tag.Value, "`")}
}

// span returns the source range of text[start:end] in the tag literal, or
// of the whole literal when the literal is not a raw string.
func (t fieldTag) span(start, end int) (token.Pos, token.Pos) {
	if !t.raw {
		return t.lit.Pos(), t.lit.End()
	}
	base := t.lit.Pos() + 1
	return base + token.Pos(start), base + token.Pos(end)
}

// replace returns an edit that replaces text[start:end] of the tag with
// repl (repl being tag text, not source).
func (t fieldTag) replace(start, end int, repl string) (analysis.TextEdit, bool) {
	if t.raw {
		if strings.ContainsAny(repl, "`\r") {
			return analysis.TextEdit{}, false
		}
		pos, end := t.span(start, end)
		return analysis.TextEdit{Pos: pos, End: end, NewText: []byte(repl)}, true
	}
	return t.rewrite(t.text[:start] + repl + t.text[end:]), true
}

// rewrite replaces the whole literal with one holding text.
func (t fieldTag) rewrite(text string) analysis.TextEdit {
	lit := strconv.Quote(text)
	if !strings.ContainsAny(text, "`\r\n") {
		lit = "`" + text + "`"
	}
	return analysis.TextEdit{Pos: t.lit.Pos(), End: t.lit.End(), NewText: []byte(lit)}
}

// jsonKey is the name part of a json tag value.
func jsonKey(tag string) string {
	key, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	return key
}

// snakeCase turns a Go field name into a JSON key: MaxAttempts is
// max_attempts, HTTPTimeout http_timeout, UserID user_id.
func snakeCase(name string) string {
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

// addJSONTags returns the edits that give every listed field declaration a
// json key made from its name, keeping its other tags. A declaration of
// several names is split into one line per name. It returns false when the
// keys would collide with each other or with taken, or when a tag cannot
// be rewritten.
func addJSONTags(fset *token.FileSet, fields []*ast.Field, taken map[string]bool) ([]analysis.TextEdit, bool) {
	used := map[string]bool{}
	for k := range taken {
		used[k] = true
	}
	var edits []analysis.TextEdit
	for _, f := range fields {
		tag := tagOf(f)
		if tag.lit != nil && tag.text == "" && f.Tag.Value != "``" && f.Tag.Value != `""` {
			return nil, false // the literal could not be read
		}
		var pairs []tagPair
		if tag.lit != nil {
			var ok bool
			if pairs, ok = parseTag(tag.text); !ok {
				return nil, false
			}
		}
		var keys []string
		for _, n := range f.Names {
			k := snakeCase(n.Name)
			if used[k] {
				return nil, false
			}
			used[k] = true
			keys = append(keys, k)
		}
		newTag := func(key string) string {
			for _, p := range pairs {
				if p.key == "json" { // a json tag without a key: keep its options
					return tag.text[:p.valStart] + strconv.Quote(key+p.value) + tag.text[p.valEnd:]
				}
			}
			if strings.TrimSpace(tag.text) == "" {
				return `json:` + strconv.Quote(key)
			}
			return `json:` + strconv.Quote(key) + " " + tag.text
		}
		if len(f.Names) == 1 {
			text := newTag(keys[0])
			if tag.lit == nil {
				edits = append(edits, analysis.TextEdit{Pos: f.Type.End(), End: f.Type.End(), NewText: []byte(" `" + text + "`")})
			} else {
				edits = append(edits, tag.rewrite(text))
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
			lit := fieldTag{text: newTag(keys[i])}
			b.WriteString(n.Name + " " + typ.String() + " " + string(literal(lit.text)))
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
