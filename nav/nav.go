// Package nav is the navigation index of a workspace: where every service,
// module, settings field, route, table and column that the framework knows
// is declared and where it is named, with what an editor shows of each.
// It is built from the workspace model (the constant names the model
// evaluated) and the syntax of the modules' files, once per version of the
// model, reusing the part of each module whose load is unchanged; a
// request is a lookup in it and never parses or type-checks. It knows
// nothing of editors: positions are byte offsets into the text it read.
package nav

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/modls/modls/workspace"
)

// Kind is what a name names.
type Kind int

const (
	Service Kind = iota
	Module
	Setting
	Route
	Table
	Column
)

func (k Kind) String() string {
	return [...]string{"service", "module", "setting", "route", "table", "column"}[k]
}

// Occurrence is one place where a name is written.
type Occurrence struct {
	File       string
	Start, End int // byte offsets into the file's text
	Kind       Kind
	// Name identifies what is named within its application: a service
	// or module name, "<module>/<key>" for a setting, "METHOD /path" for
	// a route, a table, "table.column" for a column.
	Name string
	// Def is set where the thing is defined: a registration, a module's
	// manifest name, a settings field, a route registration, the CREATE
	// or ALTER of a table or column.
	Def bool
	// Where says how it is named: "registration", "lookup", "constant",
	// "manifest name", "manifest dependencies", "manifest services",
	// "settings field", "route", "migration", "query".
	Where string
	// Literal is set when the extent is exactly the name as written
	// (inside a string's quotes), so that renaming rewrites it.
	Literal bool
	// Module is the name of the module whose file holds the occurrence.
	Module string
	app    string
}

// Location is an extent of a file's text.
type Location struct {
	File       string
	Start, End int
}

// Index answers navigation requests for one version of a workspace.
type Index struct {
	Root  string
	files map[string]*fileIndex
	// byKey lists the occurrences of each thing, definitions first.
	byKey    map[key][]*Occurrence
	services map[key]*ServiceInfo
	modules  map[key]*ModuleInfo
	settings map[key]*SettingInfo
	routes   map[key]*RouteInfo
	tables   map[key]*TableInfo
	columns  map[key]*ColumnInfo
	apps     []*appIndex
	mods     map[string]*moduleIndex // by directory, for the next build
	fresh    int
}

type key struct {
	app  string
	kind Kind
	name string
}

type fileIndex struct {
	text []byte
	occ  []*Occurrence // sorted by Start
	sql  []SQLText
	mod  *moduleIndex
}

type appIndex struct {
	dir     string
	modules []*moduleIndex
}

// Text is the text of a file as the index read it, or nil when the index
// holds nothing of the file.
func (x *Index) Text(file string) []byte {
	if f := x.files[file]; f != nil {
		return f.text
	}
	return nil
}

// At returns the occurrence whose extent holds offset (its end included,
// so that a cursor just after a name finds it), or nil.
func (x *Index) At(file string, offset int) *Occurrence {
	f := x.files[file]
	if f == nil {
		return nil
	}
	i := sort.Search(len(f.occ), func(i int) bool { return f.occ[i].End >= offset })
	for ; i < len(f.occ) && f.occ[i].Start <= offset; i++ {
		if offset <= f.occ[i].End {
			return f.occ[i]
		}
	}
	return nil
}

func (o *Occurrence) key() key { return key{o.app, o.Kind, o.Name} }

// Loc is the occurrence's extent.
func (o *Occurrence) Loc() Location { return Location{o.File, o.Start, o.End} }

// Definition returns where the thing named at the occurrence is defined:
// a service's registration, a module's manifest, a table's or column's
// CREATE or ALTER. A definition's own definition is itself.
func (x *Index) Definition(o *Occurrence) []Location {
	var out []Location
	for _, d := range x.byKey[o.key()] {
		if d.Def {
			out = append(out, d.Loc())
		}
	}
	if len(out) == 0 && o.Kind == Module {
		if m := x.modules[o.key()]; m != nil && m.Manifest != "" {
			out = append(out, Location{File: m.Manifest})
		}
	}
	return out
}

// References returns every occurrence of the thing named at o, the
// definitions only if withDefs.
func (x *Index) References(o *Occurrence, withDefs bool) []*Occurrence {
	var out []*Occurrence
	for _, r := range x.byKey[o.key()] {
		if withDefs || !r.Def {
			out = append(out, r)
		}
	}
	return out
}

// Occurrences lists every occurrence in a file, in order.
func (x *Index) Occurrences(file string) []*Occurrence {
	if f := x.files[file]; f != nil {
		return f.occ
	}
	return nil
}

// ModuleOf returns the name of the module that holds file ("" if none).
func (x *Index) ModuleOf(file string) string {
	if f := x.files[file]; f != nil && f.mod != nil {
		return f.mod.name
	}
	return ""
}

// appOf returns the directory of the application of the module holding
// file.
func (x *Index) appOf(file string) string {
	if f := x.files[file]; f != nil && f.mod != nil {
		return f.mod.app
	}
	return ""
}

// Build indexes ws. read gives a file's current text (the editor's buffer
// when it has one). prev, the index of an earlier version of the same
// workspace, lends the part of each module whose load is the same.
func Build(ws *workspace.Workspace, read func(string) ([]byte, error), prev *Index) *Index {
	x := &Index{Root: ws.Root, files: map[string]*fileIndex{}, byKey: map[key][]*Occurrence{},
		services: map[key]*ServiceInfo{}, modules: map[key]*ModuleInfo{}, settings: map[key]*SettingInfo{},
		routes: map[key]*RouteInfo{}, tables: map[key]*TableInfo{}, columns: map[key]*ColumnInfo{},
		mods: map[string]*moduleIndex{}}
	for _, a := range ws.Apps {
		ai := &appIndex{dir: a.Dir}
		for _, m := range a.Modules {
			var mi *moduleIndex
			if prev != nil {
				if old := prev.mods[m.Dir]; old != nil && old.gen == m.Gen && old.app == a.Dir {
					mi = old
				}
			}
			if mi == nil {
				mi = indexModule(m, a.Dir, read)
				x.fresh++
			}
			x.mods[m.Dir] = mi
			ai.modules = append(ai.modules, mi)
		}
		x.apps = append(x.apps, ai)
		x.link(ai)
	}
	for _, f := range x.files {
		sort.Slice(f.occ, func(i, j int) bool { return f.occ[i].Start < f.occ[j].Start })
	}
	for k, occ := range x.byKey {
		sort.SliceStable(occ, func(i, j int) bool {
			if occ[i].Def != occ[j].Def {
				return occ[i].Def
			}
			if occ[i].File != occ[j].File {
				return occ[i].File < occ[j].File
			}
			return occ[i].Start < occ[j].Start
		})
		x.byKey[k] = occ
	}
	return x
}

// link adds one application's modules to the index: their files, their
// occurrences and what each thing is, and the contract constants, which
// are known only once every module's services are.
func (x *Index) link(a *appIndex) {
	add := func(o *Occurrence) {
		o.app = a.dir
		x.byKey[o.key()] = append(x.byKey[o.key()], o)
		f := x.files[o.File]
		if f == nil {
			return
		}
		f.occ = append(f.occ, o)
	}
	known := map[string]bool{}
	for _, m := range a.modules {
		for name, text := range m.texts {
			x.files[name] = &fileIndex{text: text, mod: m, sql: m.sql[name]}
		}
		k := key{a.dir, Module, m.name}
		if x.modules[k] == nil {
			x.modules[k] = m.info
		}
		for _, s := range m.services {
			k := key{a.dir, Service, s.Name}
			if x.services[k] == nil {
				x.services[k] = s
			}
			known[s.Name] = true
		}
		for _, s := range m.settings {
			x.settings[key{a.dir, Setting, s.key()}] = s
		}
		for _, r := range m.routes {
			x.routes[key{a.dir, Route, r.Name()}] = r
		}
		for _, t := range m.tables {
			k := key{a.dir, Table, t.Name}
			if x.tables[k] == nil {
				x.tables[k] = t
			}
			for _, c := range t.Columns {
				x.columns[key{a.dir, Column, t.Name + "." + c.Name}] = c
			}
		}
	}
	for _, m := range a.modules {
		for _, o := range m.occ {
			if o.Kind == Service {
				known[o.Name] = true
			}
		}
	}
	for svc, mod := range workspace.CoreServices {
		k := key{a.dir, Service, svc}
		if x.services[k] == nil {
			x.services[k] = &ServiceInfo{Name: svc, Provider: mod}
		}
	}
	for _, m := range a.modules {
		for _, o := range m.occ {
			cp := *o
			add(&cp)
		}
		for _, c := range m.consts {
			if !known[c.value] {
				continue
			}
			for _, o := range c.occurrences(m.name) {
				add(o)
			}
		}
	}
}

// ModuleNames lists the modules of the application holding file, sorted.
func (x *Index) ModuleNames(file string) []string {
	app := x.appOf(file)
	var out []string
	for k := range x.modules {
		if k.app == app {
			out = append(out, k.name)
		}
	}
	sort.Strings(out)
	return out
}

// Services lists the services of the application holding file, sorted.
func (x *Index) Services(file string) []*ServiceInfo {
	app := x.appOf(file)
	var out []*ServiceInfo
	for k, s := range x.services {
		if k.app == app {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Module returns what the index knows of a module of the application
// holding file.
func (x *Index) Module(file, name string) *ModuleInfo {
	return x.modules[key{x.appOf(file), Module, name}]
}

// Symbol is a thing listed by a workspace symbol search.
type Symbol struct {
	Kind      Kind
	Name      string
	Container string // the module
	Loc       Location
}

// Symbols lists the modules, services, routes and tables of the workspace
// whose name contains query (case-insensitive), by name.
func (x *Index) Symbols(query string) []Symbol {
	q := strings.ToLower(query)
	var out []Symbol
	for k, occ := range x.byKey {
		if k.kind == Setting || k.kind == Column || !strings.Contains(strings.ToLower(k.name), q) {
			continue
		}
		for _, o := range occ {
			if o.Def {
				out = append(out, Symbol{Kind: k.kind, Name: k.name, Container: o.Module, Loc: o.Loc()})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Loc.File < out[j].Loc.File
	})
	return out
}

// Fresh is the number of modules this index read afresh rather than took
// from the previous one.
func (x *Index) Fresh() int { return x.fresh }

// servicePattern is the shape of a service name: <module short name>.<name>.
var servicePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.-]*$`)

// Rename returns the extents to rewrite to rename the service named at o:
// its registration, the contract constant, every lookup and every
// manifest that lists it, wherever the name is written as a literal. It
// refuses a name that is not a service name, one already taken, and a
// service whose name is also written where it cannot be rewritten (a
// constant declared outside the modules, a string with escapes).
func (x *Index) Rename(o *Occurrence, newName string) ([]Location, error) {
	if o.Kind != Service {
		return nil, fmt.Errorf("only service names can be renamed")
	}
	if !servicePattern.MatchString(newName) {
		return nil, fmt.Errorf("%q is not a service name (<module>.<name>, lowercase)", newName)
	}
	if newName == o.Name {
		return nil, nil
	}
	if len(x.byKey[key{o.app, Service, newName}]) > 0 {
		return nil, fmt.Errorf("service %s already exists", newName)
	}
	var out []Location
	constant := false
	for _, r := range x.byKey[o.key()] {
		if r.Literal {
			out = append(out, r.Loc())
			constant = constant || r.Where == "constant"
		}
	}
	for _, r := range x.byKey[o.key()] {
		if !r.Literal && r.Where != "constant" && !constant {
			return nil, fmt.Errorf("%s names the service through a constant modls cannot rewrite", x.where(r.Loc()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the name %s is written nowhere modls can rewrite it", o.Name)
	}
	return out, nil
}
