package nav

import (
	"strings"
)

// sqlToken is one word of SQL text: an identifier (bare or quoted) or a
// keyword, with its extent in the text. Strings, numbers, comments and
// punctuation other than the few the index needs are left out.
type sqlToken struct {
	text       string // the identifier, unquoted; punctuation as itself
	start, end int    // extent in the SQL text (quotes included)
	ident      bool
	quoted     bool
}

// lex splits SQL text into identifiers and the punctuation ( ) , . ;.
// It reads words only: what a statement means is SQLite's to say, and the
// index only needs to know where a table's or column's name is written.
func lex(sql string) []sqlToken {
	var out []sqlToken
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
		case c == '\'':
			i = closing(sql, i, '\'')
		case c == '"' || c == '`' || c == '[':
			q := c
			if q == '[' {
				q = ']'
			}
			end := closing(sql, i, q)
			inner := sql[i+1 : max(i+1, end-1)]
			if end > len(sql) || sql[end-1] != q {
				inner = sql[i+1 : end]
			}
			out = append(out, sqlToken{text: strings.ReplaceAll(inner, string(q)+string(q), string(q)), start: i, end: end, ident: true, quoted: true})
			i = end
		case isIdentStart(c):
			j := i + 1
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			out = append(out, sqlToken{text: sql[i:j], start: i, end: j, ident: true})
			i = j
		case c >= '0' && c <= '9':
			for i < len(sql) && (isIdentPart(sql[i]) || sql[i] == '.') {
				i++
			}
		case c == '(' || c == ')' || c == ',' || c == '.' || c == ';':
			out = append(out, sqlToken{text: string(c), start: i, end: i + 1})
			i++
		default:
			i++
		}
	}
	return out
}

// closing returns the offset just past the quote closing the one at i (a
// doubled quote is part of the text).
func closing(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q && q != ']' {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// is reports whether the token is the keyword kw (any case, unquoted).
func (t sqlToken) is(kw string) bool { return t.ident && !t.quoted && strings.EqualFold(t.text, kw) }

// sqlKeywords start the statements the index reads as SQL.
var sqlKeywords = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "WITH", "DROP", "REPLACE", "PRAGMA"}

// looksLikeSQL reports whether a string constant is a SQL statement: it
// starts with one of the statement keywords and a space.
func looksLikeSQL(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n(")
	for _, kw := range sqlKeywords {
		if len(s) > len(kw) && strings.EqualFold(s[:len(kw)], kw) && (s[len(kw)] == ' ' || s[len(kw)] == '\n' || s[len(kw)] == '\t' || s[len(kw)] == '\r') {
			return true
		}
	}
	return false
}

// ddlColumn is a column definition read from a migration.
type ddlColumn struct {
	name       sqlToken
	definition string // the column's definition as written: "name TEXT NOT NULL"
}

// ddlTable is what one migration statement defines: a table created with
// its columns, or columns added to a table.
type ddlTable struct {
	name    sqlToken
	create  bool
	columns []ddlColumn
}

// readDDL finds the tables a migration creates (CREATE TABLE) and the
// columns it adds (ALTER TABLE … ADD COLUMN), with where their names are
// written.
func readDDL(sql string) []ddlTable {
	toks := lex(sql)
	var out []ddlTable
	for i := 0; i < len(toks); i++ {
		switch {
		case toks[i].is("CREATE"):
			j := i + 1
			for j < len(toks) && (toks[j].is("TEMP") || toks[j].is("TEMPORARY")) {
				j++
			}
			if j >= len(toks) || !toks[j].is("TABLE") {
				continue
			}
			j++
			if j+2 < len(toks) && toks[j].is("IF") && toks[j+1].is("NOT") && toks[j+2].is("EXISTS") {
				j += 3
			}
			name, j := qualifiedName(toks, j)
			if name == nil {
				continue
			}
			t := ddlTable{name: *name, create: true}
			if j < len(toks) && toks[j].text == "(" {
				t.columns, j = columnDefs(sql, toks, j+1)
			}
			out = append(out, t)
			i = j - 1
		case toks[i].is("ALTER") && i+1 < len(toks) && toks[i+1].is("TABLE"):
			name, j := qualifiedName(toks, i+2)
			if name == nil || j >= len(toks) || !toks[j].is("ADD") {
				continue
			}
			j++
			if j < len(toks) && toks[j].is("COLUMN") {
				j++
			}
			if j >= len(toks) || !toks[j].ident {
				continue
			}
			end := len(sql)
			for k := j; k < len(toks); k++ {
				if toks[k].text == ";" {
					end = toks[k].start
					break
				}
			}
			out = append(out, ddlTable{name: *name, columns: []ddlColumn{{name: toks[j], definition: squash(sql[toks[j].start:end])}}})
			i = j
		}
	}
	return out
}

// qualifiedName reads [schema.]name at j and returns the name and the
// index after it.
func qualifiedName(toks []sqlToken, j int) (*sqlToken, int) {
	if j >= len(toks) || !toks[j].ident {
		return nil, j
	}
	if j+2 < len(toks) && toks[j+1].text == "." && toks[j+2].ident {
		j += 2
	}
	return &toks[j], j + 1
}

// tableConstraints start a table constraint rather than a column.
var tableConstraints = []string{"CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK"}

// columnDefs reads the column definitions of CREATE TABLE from just after
// its opening parenthesis; it returns them and the index after the closing
// one.
func columnDefs(sql string, toks []sqlToken, j int) ([]ddlColumn, int) {
	var cols []ddlColumn
	depth := 0
	start := j
	flush := func(end int) {
		if start >= len(toks) || !toks[start].ident {
			return
		}
		for _, kw := range tableConstraints {
			if toks[start].is(kw) {
				return
			}
		}
		stop := len(sql)
		if end < len(toks) {
			stop = toks[end].start
		}
		cols = append(cols, ddlColumn{name: toks[start], definition: squash(sql[toks[start].start:stop])})
	}
	for ; j < len(toks); j++ {
		switch toks[j].text {
		case "(":
			if !toks[j].ident {
				depth++
			}
		case ")":
			if toks[j].ident {
				continue
			}
			if depth == 0 {
				flush(j)
				return cols, j + 1
			}
			depth--
		case ",":
			if depth == 0 && !toks[j].ident {
				flush(j)
				start = j + 1
			}
		}
	}
	flush(j)
	return cols, j
}

// squash writes a definition on one line with single spaces.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
