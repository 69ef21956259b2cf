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
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
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

// Index answers navigation requests for one version of a workspace. It is
// a list of per-module indexes: building it after a change reads the
// changed modules again and takes the others as they were, and a request
// looks in each module of the application (a map lookup apiece).
type Index struct {
	Root string
	apps []*appIndex
	// mods finds the modules by directory: a file's index is its
	// module's (file), and the next build takes the unchanged ones. An
	// index of the same applications and module directories shares it.
	mods  map[string]modRef
	fresh int
	// read reads a file as the build did, for the texts it does not keep.
	read func(string) ([]byte, error)
}

// modRef is where an Index holds a module: apps[app].modules[i].
type modRef struct{ app, i int }

// mod returns the index of the module in dir, or nil.
func (x *Index) mod(dir string) *moduleIndex {
	if x == nil {
		return nil
	}
	if r, ok := x.mods[dir]; ok {
		return x.apps[r.app].modules[r.i]
	}
	return nil
}

// file returns the index of a file: its module is the nearest directory
// above it that is a module's and lists it. A lookup walks up the
// file's directories rather than reading one map of every file of the
// workspace, which each keystroke's build would otherwise copy.
func (x *Index) file(name string) *fileIndex {
	for dir := filepath.Dir(name); ; {
		if mi := x.mod(dir); mi != nil {
			if f := mi.files[name]; f != nil {
				return f
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// key names a thing within an application.
type key struct {
	app  string
	kind Kind
	name string
}

// lkey names a thing within a module's index.
type lkey struct {
	kind Kind
	name string
}

type fileIndex struct {
	// text is the file's text as the index read it; nil, for a Go file of
	// a module not being edited, once the index is built: sum is then its
	// digest, and Text reads the file again.
	text []byte
	sum  [sha256.Size]byte
	occ  []*Occurrence // sorted by Start
	sql  []SQLText
	mod  *moduleIndex
}

type appIndex struct {
	dir     string
	modules []*moduleIndex
	dirs    []string // of modules, in order
	// byName is the index in modules of the first module of each name;
	// shared, as Index.mods is, while the names stay.
	byName map[string]int
}

// named returns the first module of the name, or nil.
func (a *appIndex) named(name string) *moduleIndex {
	if i, ok := a.byName[name]; ok {
		return a.modules[i]
	}
	return nil
}

// Text is the text of a file as the index read it, or nil when the index
// holds nothing of the file or the file no longer reads as it did.
func (x *Index) Text(file string) []byte {
	f := x.file(file)
	if f == nil {
		return nil
	}
	if f.text != nil || x.read == nil {
		return f.text
	}
	data, err := x.read(file)
	if err != nil || sha256.Sum256(data) != f.sum {
		return nil // changed since: the next index reads it again
	}
	return data
}

// At returns the occurrence whose extent holds offset (its end included,
// so that a cursor just after a name finds it), or nil.
func (x *Index) At(file string, offset int) *Occurrence {
	f := x.file(file)
	if f == nil {
		return nil
	}
	i := sort.Search(len(f.occ), func(i int) bool { return f.occ[i].End >= offset })
	for ; i < len(f.occ) && f.occ[i].Start <= offset; i++ {
		o := f.occ[i]
		if offset <= o.End && (o.Where != "constant" || x.knownService(o.app, o.Name)) {
			return o
		}
	}
	return nil
}

func (o *Occurrence) key() key { return key{o.app, o.Kind, o.Name} }

// Loc is the occurrence's extent.
func (o *Occurrence) Loc() Location { return Location{o.File, o.Start, o.End} }

func (x *Index) app(dir string) *appIndex {
	for _, a := range x.apps {
		if a.dir == dir {
			return a
		}
	}
	return nil
}

// knownService reports whether a module of the application registers,
// looks up or lists the service, or it is a core service: a string
// constant with its value is then a contract constant.
func (x *Index) knownService(app, name string) bool {
	if _, ok := workspace.CoreServices[name]; ok {
		return true
	}
	if a := x.app(app); a != nil {
		for _, m := range a.modules {
			if m.known[name] {
				return true
			}
		}
	}
	return false
}

// occurrences lists every occurrence of a thing, definitions first.
func (x *Index) occurrences(k key) []*Occurrence {
	a := x.app(k.app)
	if a == nil {
		return nil
	}
	var out []*Occurrence
	for _, m := range a.modules {
		out = append(out, m.byKey[lkey{k.kind, k.name}]...)
	}
	if k.kind == Service && len(out) > 0 && !x.knownService(k.app, k.name) {
		// Only string constants: not a service.
		return nil
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Def != out[j].Def {
			return out[i].Def
		}
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Start < out[j].Start
	})
	return out
}

// find returns the first module of the application for which get finds
// something.
func find[T any](x *Index, app string, get func(m *moduleIndex) (T, bool)) (T, bool) {
	if a := x.app(app); a != nil {
		for _, m := range a.modules {
			if v, ok := get(m); ok {
				return v, true
			}
		}
	}
	var zero T
	return zero, false
}

func (x *Index) service(app, name string) *ServiceInfo {
	s, ok := find(x, app, func(m *moduleIndex) (*ServiceInfo, bool) { s, ok := m.servicesBy[name]; return s, ok })
	if ok {
		return s
	}
	if mod, ok := workspace.CoreServices[name]; ok {
		return &ServiceInfo{Name: name, Provider: mod}
	}
	return nil
}

func (x *Index) moduleInfo(app, name string) *ModuleInfo {
	if a := x.app(app); a != nil {
		if m := a.named(name); m != nil {
			return m.info
		}
	}
	return nil
}

func (x *Index) setting(app, name string) *SettingInfo {
	s, _ := find(x, app, func(m *moduleIndex) (*SettingInfo, bool) { s, ok := m.settingsBy[name]; return s, ok })
	return s
}

func (x *Index) route(app, name string) *RouteInfo {
	r, _ := find(x, app, func(m *moduleIndex) (*RouteInfo, bool) { r, ok := m.routesBy[name]; return r, ok })
	return r
}

func (x *Index) table(app, name string) *TableInfo {
	t, _ := find(x, app, func(m *moduleIndex) (*TableInfo, bool) { t, ok := m.tablesBy[name]; return t, ok })
	return t
}

func (x *Index) column(app, name string) *ColumnInfo {
	c, _ := find(x, app, func(m *moduleIndex) (*ColumnInfo, bool) { c, ok := m.columnsBy[name]; return c, ok })
	return c
}

// Definition returns where the thing named at the occurrence is defined:
// a service's registration, a module's manifest, a table's or column's
// CREATE or ALTER. A definition's own definition is itself.
func (x *Index) Definition(o *Occurrence) []Location {
	var out []Location
	for _, d := range x.occurrences(o.key()) {
		if d.Def {
			out = append(out, d.Loc())
		}
	}
	if len(out) == 0 && o.Kind == Module {
		if m := x.moduleInfo(o.app, o.Name); m != nil && m.Manifest != "" {
			out = append(out, Location{File: m.Manifest})
		}
	}
	return out
}

// References returns every occurrence of the thing named at o, the
// definitions only if withDefs.
func (x *Index) References(o *Occurrence, withDefs bool) []*Occurrence {
	var out []*Occurrence
	for _, r := range x.occurrences(o.key()) {
		if withDefs || !r.Def {
			out = append(out, r)
		}
	}
	return out
}

// Occurrences lists every occurrence in a file, in order.
func (x *Index) Occurrences(file string) []*Occurrence {
	if f := x.file(file); f != nil {
		return f.occ
	}
	return nil
}

// ModuleOf returns the name of the module that holds file ("" if none).
func (x *Index) ModuleOf(file string) string {
	if f := x.file(file); f != nil && f.mod != nil {
		return f.mod.name
	}
	return ""
}

// appOf returns the directory of the application of the module holding
// file.
func (x *Index) appOf(file string) string {
	if f := x.file(file); f != nil && f.mod != nil {
		return f.mod.app
	}
	return ""
}

// Build indexes ws. read gives a file's current text (the editor's buffer
// when it has one). prev, the index of an earlier version of the same
// workspace, lends the part of each module whose load is the same.
func Build(ws *workspace.Workspace, read func(string) ([]byte, error), prev *Index) *Index {
	return BuildYielding(ws, read, prev, nil)
}

// BuildYielding is Build calling yield, when set, before it starts and
// before each module it reads afresh, when it has any to read: a build in
// the background waits there while more urgent work (a check the user
// waits for) has the machine. Even a build that reads one module copies
// the index's maps, which grow with the workspace.
func BuildYielding(ws *workspace.Workspace, read func(string) ([]byte, error), prev *Index, yield func()) *Index {
	x := &Index{Root: ws.Root, mods: map[string]modRef{}, read: read}
	// Few modules to read again means editing: their syntax is kept for
	// the next keystroke.
	changed := 0
	for _, m := range ws.Modules() {
		if old := prev.mod(m.Dir); old == nil || old.gen != m.Gen {
			changed++
		}
	}
	keep := prev != nil && changed <= 4
	if yield != nil && changed > 0 {
		yield()
	}
	if x := rebuild(ws, read, prev, yield, keep); x != nil {
		return x
	}
	for ia, a := range ws.Apps {
		ai := &appIndex{dir: a.Dir, byName: map[string]int{}}
		for _, m := range a.Modules {
			var mi *moduleIndex
			old := prev.mod(m.Dir)
			if old != nil && old.gen == m.Gen && old.app == a.Dir {
				mi = old
			}
			if mi == nil {
				if yield != nil {
					yield()
				}
				mi = indexModule(m, a.Dir, read, old, keep)
				x.fresh++
			}
			x.mods[m.Dir] = modRef{ia, len(ai.modules)}
			if _, dup := ai.byName[mi.name]; !dup {
				ai.byName[mi.name] = len(ai.modules)
			}
			ai.modules = append(ai.modules, mi)
			ai.dirs = append(ai.dirs, m.Dir)
		}
		x.apps = append(x.apps, ai)
	}
	return x
}

// rebuild makes the index from prev when the workspace has the
// applications and modules prev indexed, in the same order: it takes
// prev's maps, copied, and replaces what the modules read afresh change,
// where building every map again costs milliseconds and megabytes at
// every keystroke in a workspace of 1,000 modules. It returns the index
// BuildYielding's full build would, or nil when it cannot tell it is
// (another shape).
func rebuild(ws *workspace.Workspace, read func(string) ([]byte, error), prev *Index, yield func(), keep bool) *Index {
	if prev == nil || len(prev.apps) != len(ws.Apps) {
		return nil
	}
	for i, a := range ws.Apps {
		pa := prev.apps[i]
		if pa.dir != a.Dir || len(pa.dirs) != len(a.Modules) {
			return nil
		}
		for j, m := range a.Modules {
			if pa.dirs[j] != m.Dir {
				return nil
			}
		}
	}
	x := &Index{Root: ws.Root, mods: prev.mods, read: read}
	for i, a := range ws.Apps {
		pa := prev.apps[i]
		ai := &appIndex{dir: a.Dir, modules: slices.Clone(pa.modules), dirs: pa.dirs, byName: pa.byName}
		renamed := false
		for j, m := range a.Modules {
			mi := pa.modules[j]
			if mi.gen != m.Gen || mi.app != a.Dir {
				if yield != nil {
					yield()
				}
				mi = indexModule(m, a.Dir, read, mi, keep)
				x.fresh++
			}
			renamed = renamed || mi.name != pa.modules[j].name
			ai.modules[j] = mi
		}
		if renamed {
			ai.byName = map[string]int{}
			for j, mi := range ai.modules {
				if _, dup := ai.byName[mi.name]; !dup {
					ai.byName[mi.name] = j
				}
			}
		}
		x.apps = append(x.apps, ai)
	}
	return x
}

// ModuleNames lists the modules of the application holding file, sorted.
func (x *Index) ModuleNames(file string) []string {
	var out []string
	if a := x.app(x.appOf(file)); a != nil {
		for name := range a.byName {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Services lists the services of the application holding file, sorted.
func (x *Index) Services(file string) []*ServiceInfo {
	app := x.appOf(file)
	seen := map[string]bool{}
	var out []*ServiceInfo
	if a := x.app(app); a != nil {
		for _, m := range a.modules {
			for _, s := range m.services {
				if !seen[s.Name] {
					seen[s.Name] = true
					out = append(out, s)
				}
			}
		}
	}
	for name, mod := range workspace.CoreServices {
		if !seen[name] {
			out = append(out, &ServiceInfo{Name: name, Provider: mod})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Module returns what the index knows of a module of the application
// holding file.
func (x *Index) Module(file, name string) *ModuleInfo {
	return x.moduleInfo(x.appOf(file), name)
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
	seen := map[key]bool{}
	for _, a := range x.apps {
		for _, m := range a.modules {
			for k, occ := range m.byKey {
				ak := key{a.dir, k.kind, k.name}
				if k.kind == Setting || k.kind == Column || seen[ak] || !strings.Contains(strings.ToLower(k.name), q) {
					continue
				}
				for _, o := range occ {
					if o.Def {
						seen[ak] = true
						out = append(out, Symbol{Kind: k.kind, Name: k.name, Container: o.Module, Loc: o.Loc()})
						break
					}
				}
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
	if len(x.occurrences(key{o.app, Service, newName})) > 0 || x.service(o.app, newName) != nil {
		return nil, fmt.Errorf("service %s already exists", newName)
	}
	var out []Location
	constant := false
	occ := x.occurrences(o.key())
	for _, r := range occ {
		if r.Literal {
			out = append(out, r.Loc())
			constant = constant || r.Where == "constant"
		}
	}
	for _, r := range occ {
		if !r.Literal && r.Where != "constant" && !constant {
			return nil, fmt.Errorf("%s names the service through a constant modls cannot rewrite", x.where(r.Loc()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the name %s is written nowhere modls can rewrite it", o.Name)
	}
	return out, nil
}
