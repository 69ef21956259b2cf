package nav

import (
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/modls/modls/workspace"
)

// Completion is what may be written at a place: candidates replacing the
// text between Start and End.
type Completion struct {
	Start, End int
	Items      []Candidate
}

// Candidate is one completion.
type Candidate struct {
	Label, Detail string
	Doc           string // Markdown
	Kind          Kind
	// First is set for the candidates listed before the others: a
	// service of a declared dependency, a column of a table the statement
	// names.
	First bool
	// AddDependency is the module to add to the dependencies of the
	// completing module's manifest for the candidate to be allowed.
	AddDependency string
}

// lookupPrefix matches a line up to an open service name in a lookup:
// framework.Service[T](app, "par
var lookupPrefix = regexp.MustCompile(`Service\[[^\]]*\]\(\s*[\w.]+\s*,\s*"([\w.\-]*)$`)

// Complete lists what may be written at offset of a file whose current
// text is text: a service name in a lookup, a module or service name in a
// manifest's lists, a table or column in SQL.
func (x *Index) Complete(file string, text []byte, offset int) *Completion {
	if offset < 0 || offset > len(text) {
		return nil
	}
	lineStart := strings.LastIndexByte(string(text[:offset]), '\n') + 1
	prefix := string(text[lineStart:offset])
	if strings.HasSuffix(file, ".go") {
		if m := lookupPrefix.FindStringSubmatch(prefix); m != nil {
			return x.completeService(file, text, offset, len(m[1]))
		}
		return x.completeSQL(file, offset)
	}
	if filepath.Base(file) == "manifest.json" {
		return x.completeManifest(file, text, offset)
	}
	return nil
}

// nameEnd extends a name from offset over the characters of module and
// service names.
func nameEnd(text []byte, offset int) int {
	for offset < len(text) && (isIdentPart(text[offset]) || text[offset] == '.' || text[offset] == '-') {
		offset++
	}
	return offset
}

func (x *Index) completeService(file string, text []byte, offset, typed int) *Completion {
	c := &Completion{Start: offset - typed, End: nameEnd(text, offset)}
	self := x.ModuleOf(file)
	mod := x.Module(file, self)
	for _, s := range x.Services(file) {
		cand := Candidate{Label: s.Name, Kind: Service, Detail: "provided by " + s.Provider}
		switch {
		case s.Provider == self || workspace.IsCore(s.Provider) || mod != nil && slices.Contains(mod.Dependencies, s.Provider):
			// The few the module may look up carry their methods; the
			// others, an application's worth, their provider only.
			cand.First = true
			cand.Doc = x.serviceDoc(s)
		case self == "":
		default:
			cand.AddDependency = s.Provider
			cand.Detail += ", adds the dependency to manifest.json"
		}
		c.Items = append(c.Items, cand)
	}
	return c
}

// serviceDoc is the hover of a service as seen from nowhere in particular.
func (x *Index) serviceDoc(s *ServiceInfo) string {
	return x.Hover(&Occurrence{Kind: Service, Name: s.Name, app: x.appOfModule(s.Provider)})
}

func (x *Index) appOfModule(module string) string {
	for _, a := range x.apps {
		if a.named(module) != nil {
			return a.dir
		}
	}
	if len(x.apps) > 0 {
		return x.apps[0].dir
	}
	return ""
}

// listPrefix matches a manifest up to an open list: "dependencies": [ …
var listPrefix = regexp.MustCompile(`"(dependencies|services)"\s*:\s*\[[^\[\]]*$`)

func (x *Index) completeManifest(file string, text []byte, offset int) *Completion {
	before := string(text[:offset])
	m := listPrefix.FindStringSubmatch(before)
	if m == nil {
		return nil
	}
	list := before[strings.LastIndexByte(before, '[')+1:]
	quoted := strings.Count(list, `"`)%2 == 1
	start := offset
	for start > 0 && (isIdentPart(text[start-1]) || text[start-1] == '.' || text[start-1] == '-') {
		start--
	}
	c := &Completion{Start: start, End: nameEnd(text, offset)}
	if !quoted {
		// Not in a string: the candidate brings its quotes.
		c.Start, c.End = offset, offset
	}
	quote := func(s string) string {
		if quoted {
			return s
		}
		return `"` + s + `"`
	}
	self := x.ModuleOf(file)
	var listed []string
	for _, s := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(list, -1) {
		listed = append(listed, s[1])
	}
	switch m[1] {
	case "dependencies":
		for _, name := range x.ModuleNames(file) {
			if name == self || slices.Contains(listed, name) {
				continue
			}
			mi := x.Module(file, name)
			cand := Candidate{Label: quote(name), Kind: Module, Detail: mi.Description}
			cand.Doc = x.Hover(&Occurrence{Kind: Module, Name: name, app: x.appOf(file)})
			c.Items = append(c.Items, cand)
		}
	case "services":
		for _, s := range x.Services(file) {
			if s.Provider != self || slices.Contains(listed, s.Name) {
				continue
			}
			c.Items = append(c.Items, Candidate{Label: quote(s.Name), Kind: Service, Detail: "registered by this module", Doc: x.serviceDoc(s), First: true})
		}
	}
	return c
}

// tableKeywords are the words after which a table's name is written.
var tableKeywords = []string{"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "ON"}

// completeSQL completes a table or column name inside a SQL literal: after
// FROM, JOIN, INTO, UPDATE and TABLE the module's tables; after "table."
// that table's columns; elsewhere the columns of the tables the statement
// names (first) and the module's tables.
func (x *Index) completeSQL(file string, offset int) *Completion {
	f := x.file(file)
	if f == nil {
		return nil
	}
	var lit *SQLText
	for i := range f.sql {
		if f.sql[i].Start <= offset && offset <= f.sql[i].End {
			lit = &f.sql[i]
		}
	}
	if lit == nil {
		return nil
	}
	app := x.appOf(file)
	var tables []*TableInfo
	if f.mod != nil {
		tables = append(tables, f.mod.tables...)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	rel := offset - lit.Start
	sql := lit.SQL
	start := rel
	for start > 0 && isIdentPart(sql[start-1]) {
		start--
	}
	end := rel
	for end < len(sql) && isIdentPart(sql[end]) {
		end++
	}
	c := &Completion{Start: lit.Start + start, End: lit.Start + end}
	var prev []sqlToken // the tokens before the word being written
	for _, t := range lex(sql) {
		if t.end <= start {
			prev = append(prev, t)
		}
	}
	tableCand := func(t *TableInfo) Candidate {
		return Candidate{Label: t.Name, Kind: Table, Detail: "table of " + t.Module, Doc: x.Hover(&Occurrence{Kind: Table, Name: t.Name, app: app})}
	}
	colCand := func(col *ColumnInfo, first bool) Candidate {
		return Candidate{Label: col.Name, Kind: Column, Detail: col.Table + ": " + col.Definition, First: first,
			Doc: x.Hover(&Occurrence{Kind: Column, Name: col.Table + "." + col.Name, app: app})}
	}
	n := len(prev)
	if n >= 2 && prev[n-1].text == "." && !prev[n-1].ident {
		for _, t := range tables {
			if strings.EqualFold(t.Name, prev[n-2].text) {
				for _, col := range t.Columns {
					c.Items = append(c.Items, colCand(col, true))
				}
			}
		}
		return c
	}
	if n >= 1 {
		for _, kw := range tableKeywords {
			if prev[n-1].is(kw) && kw != "ON" {
				for _, t := range tables {
					c.Items = append(c.Items, tableCand(t))
				}
				return c
			}
		}
	}
	// Tables the statement names, the word being written aside.
	named := map[string]bool{}
	for _, t := range lex(sql) {
		if t.ident && (t.end <= start || t.start >= end) {
			for _, tb := range tables {
				if strings.EqualFold(tb.Name, t.text) {
					named[tb.Name] = true
				}
			}
		}
	}
	for _, t := range tables {
		if len(named) == 0 || named[t.Name] {
			for _, col := range t.Columns {
				c.Items = append(c.Items, colCand(col, len(named) > 0))
			}
		}
	}
	for _, t := range tables {
		c.Items = append(c.Items, tableCand(t))
	}
	return c
}
