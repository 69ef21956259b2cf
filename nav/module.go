package nav

import (
	"crypto/sha256"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/modls/modls/framework"
	"github.com/modls/modls/workspace"
)

// ServiceInfo is a registered service.
type ServiceInfo struct {
	Name     string
	Provider string // the module that registers it
	// Registration is where it is registered (empty for a core service).
	Registration Location
	Methods      []Method
}

// Method is a ServiceMethod entry of a registration.
type Method struct {
	Name, Description, Returns, Example string
	Params                              []Param
}

// Param is a ServiceMethod entry's parameter.
type Param struct{ Name, Type, Description string }

// ModuleInfo is a module's manifest.
type ModuleInfo struct {
	Name, Version, Description string
	Manifest                   string // the manifest.json's path
	Dependencies, Services     []string
	Features                   []string
}

// SettingInfo is one field of a module's settings struct.
type SettingInfo struct {
	Module, Field, Type, Doc string
	Key                      string // the config file's key, from the json tag
	Default                  string
	HasDefault               bool
	Validate                 string
	Loc                      Location
}

// Env is the environment variable that overrides the setting.
func (s *SettingInfo) Env() string { return framework.EnvName(s.Module, s.Key) }

func (s *SettingInfo) key() string { return s.Module + "/" + s.Key }

// RouteInfo is a route a module serves.
type RouteInfo struct {
	Module, Method, Path string
	// Request and Response are the models, as written in Go ("" when the
	// index cannot tell).
	Request, Response string
	Handler           string
	Loc               Location
}

// FullPath is where the route is served.
func (r *RouteInfo) FullPath() string { return framework.MountPath(r.Module, r.Path) }

// Name is the route's name in the index: "GET /api/v1/<module>/…".
func (r *RouteInfo) Name() string { return r.Method + " " + r.FullPath() }

// TableInfo is a table created by a module's migrations.
type TableInfo struct {
	Name, Module string
	// Statement is the migration that creates it, on one line.
	Statement string
	Loc       Location
	Columns   []*ColumnInfo
}

// ColumnInfo is a column of a table: created with it or added later.
type ColumnInfo struct {
	Table, Name string
	Definition  string // as written: "name TEXT NOT NULL"
	Added       bool   // by ALTER TABLE … ADD COLUMN
	Statement   string // the migration that defines it, on one line
	Loc         Location
}

// SQLText is a string literal of a module's Go code that is a SQL
// statement, with its extent in the file (inside the quotes; the text is
// the file's bytes there).
type SQLText struct {
	Start, End int
	SQL        string
	Migration  bool
}

// moduleIndex is what the index takes from one module, kept while the
// module's load (workspace.Module.Gen) is the same.
type moduleIndex struct {
	gen      uint64
	app      string
	name     string
	info     *ModuleInfo
	occ      []*Occurrence
	services []*ServiceInfo
	settings []*SettingInfo
	routes   []*RouteInfo
	tables   []*TableInfo
	consts   []stringConst
	sql      map[string][]SQLText
	// What the requests look up, made by finish.
	files      map[string]*fileIndex
	byKey      map[lkey][]*Occurrence
	known      map[string]bool // the services it registers, looks up or lists
	servicesBy map[string]*ServiceInfo
	settingsBy map[string]*SettingInfo
	routesBy   map[string]*RouteInfo
	tablesBy   map[string]*TableInfo
	columnsBy  map[string]*ColumnInfo
	// While the module is being edited, its files' syntax is kept, so that
	// a keystroke parses the one file it changed: fset holds every file
	// parsed since the syntax was first kept (parsed counts them), asts
	// the syntax of the current files by name.
	fset   *token.FileSet
	parsed int
	asts   map[string]keptAST
}

type keptAST struct {
	sum [sha256.Size]byte
	f   *ast.File
}

// stringConst is a string constant declared in the module: a contract
// constant when its value names a service.
type stringConst struct {
	file      string
	value     string
	name      Location // the constant's identifier
	lit       Location // the value inside its quotes
	literalOK bool
}

func (c stringConst) occurrences(module string) []*Occurrence {
	out := []*Occurrence{{File: c.file, Start: c.name.Start, End: c.name.End, Kind: Service, Name: c.value, Where: "constant", Module: module}}
	if c.literalOK {
		out = append(out, &Occurrence{File: c.file, Start: c.lit.Start, End: c.lit.End, Kind: Service, Name: c.value, Where: "constant", Literal: true, Module: module})
	}
	return out
}

type posKey struct {
	file      string
	line, col int
}

// indexModule reads one module: its manifest from the model, its Go files
// (not its tests, as the model) for the calls and declarations the
// framework gives meaning to.
//
// With keep, the syntax of the module's files is kept for the next
// indexing of the module, and prev's kept syntax of unchanged files is
// used.
func indexModule(m *workspace.Module, app string, read func(string) ([]byte, error), prev *moduleIndex, keep bool) *moduleIndex {
	mi := &moduleIndex{gen: m.Gen, app: app, name: m.Name(), files: map[string]*fileIndex{}, sql: map[string][]SQLText{}}
	mi.info = &ModuleInfo{Name: m.Name(), Manifest: m.ManifestPath, Version: m.Manifest.Version, Description: m.Manifest.Description,
		Dependencies: m.Manifest.Dependencies, Services: m.Manifest.Services, Features: m.Manifest.Features}
	if m.Object != nil {
		mi.files[m.ManifestPath] = &fileIndex{text: m.ManifestData, mod: mi}
		mi.indexManifest(m)
	}
	names := map[posKey]string{}
	for _, c := range m.Registrations {
		names[posKey{c.Pos.Filename, c.Pos.Line, c.Pos.Column}] = c.Service
	}
	for _, c := range m.Lookups {
		names[posKey{c.Pos.Filename, c.Pos.Line, c.Pos.Column}] = c.Service
	}
	migrations := map[string]bool{}
	for _, mg := range m.Migrations {
		migrations[mg.SQL] = true
	}
	fset := token.NewFileSet()
	var kept map[string]keptAST
	if keep && prev != nil && prev.asts != nil && prev.parsed < 4*len(m.Files)+16 {
		fset, kept, mi.parsed = prev.fset, prev.asts, prev.parsed
	}
	if keep {
		mi.fset, mi.asts = fset, map[string]keptAST{}
	}
	byDir := map[string][]*ast.File{}
	var files []*ast.File
	for _, name := range m.Files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := read(name)
		if err != nil {
			continue
		}
		sum := sha256.Sum256(src)
		var f *ast.File
		if k, ok := kept[name]; ok && k.sum == sum {
			f = k.f
		} else {
			f, _ = parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
			mi.parsed++
		}
		if f == nil {
			continue
		}
		if keep {
			mi.asts[name] = keptAST{sum, f}
		}
		// The Go files' texts are kept while the module is edited; of the
		// others (at 1,000 modules, 11 MB of the server's heap) the index
		// keeps their digests, and reads a text again when asked
		// (Index.Text).
		fi := &fileIndex{sum: sum, mod: mi}
		if keep {
			fi.text = src
		}
		mi.files[name] = fi
		files = append(files, f)
		byDir[filepath.Dir(name)] = append(byDir[filepath.Dir(name)], f)
	}
	for _, f := range files {
		name := fset.File(f.Pos()).Name()
		s := &scanner{mi: mi, fset: fset, file: name, names: names, pkg: byDir[filepath.Dir(name)]}
		s.scan(f)
		for i, t := range s.sql {
			if migrations[t.SQL] {
				s.sql[i].Migration = true
				mi.readMigration(name, s.sql[i])
			}
		}
		mi.sql[name] = s.sql
	}
	mi.indexSQL()
	mi.finish()
	return mi
}

// finish makes the module's maps: its files' occurrences in order (the
// string constants that may be contract constants among them),
// its occurrences by what they name, and its services, settings, routes,
// tables and columns by name.
func (mi *moduleIndex) finish() {
	for name, f := range mi.files {
		f.sql = mi.sql[name]
	}
	mi.byKey = map[lkey][]*Occurrence{}
	mi.known = map[string]bool{}
	all := mi.occ
	for _, c := range mi.consts {
		all = append(all, c.occurrences(mi.name)...)
	}
	for _, o := range all {
		o.app = mi.app
		k := lkey{o.Kind, o.Name}
		mi.byKey[k] = append(mi.byKey[k], o)
		if o.Kind == Service && o.Where != "constant" {
			mi.known[o.Name] = true
		}
		if f := mi.files[o.File]; f != nil {
			f.occ = append(f.occ, o)
		}
	}
	for _, f := range mi.files {
		sort.Slice(f.occ, func(i, j int) bool { return f.occ[i].Start < f.occ[j].Start })
	}
	mi.servicesBy = map[string]*ServiceInfo{}
	for _, s := range mi.services {
		if mi.servicesBy[s.Name] == nil {
			mi.servicesBy[s.Name] = s
		}
	}
	mi.settingsBy = map[string]*SettingInfo{}
	for _, s := range mi.settings {
		mi.settingsBy[s.key()] = s
	}
	mi.routesBy = map[string]*RouteInfo{}
	for _, r := range mi.routes {
		mi.routesBy[r.Name()] = r
	}
	mi.tablesBy = map[string]*TableInfo{}
	mi.columnsBy = map[string]*ColumnInfo{}
	for _, t := range mi.tables {
		mi.tablesBy[t.Name] = t
		for _, c := range t.Columns {
			mi.columnsBy[t.Name+"."+c.Name] = c
		}
	}
}

// indexManifest adds the manifest's name, dependencies and services.
func (mi *moduleIndex) indexManifest(m *workspace.Module) {
	file := m.ManifestPath
	if f, ok := m.Object.Field("name"); ok {
		if s, e, ok := stringSpan(m.ManifestData, f.ValueAt); ok {
			mi.occ = append(mi.occ, &Occurrence{File: file, Start: s, End: e, Kind: Module, Name: mi.name, Def: true, Where: "manifest name", Literal: true, Module: mi.name})
		}
	}
	for field, kind := range map[string]Kind{"dependencies": Module, "services": Service} {
		f, ok := m.Object.Field(field)
		if !ok {
			continue
		}
		for _, el := range f.Elems {
			s, e, ok := stringSpan(m.ManifestData, el)
			if !ok {
				continue
			}
			v, err := strconv.Unquote(string(m.ManifestData[s-1 : e+1]))
			if err != nil {
				continue
			}
			mi.occ = append(mi.occ, &Occurrence{File: file, Start: s, End: e, Kind: kind, Name: v, Where: "manifest " + field, Literal: v == string(m.ManifestData[s:e]), Module: mi.name})
		}
	}
}

// stringSpan returns the extent inside the quotes of a JSON string value.
func stringSpan(data []byte, sp workspace.Span) (int, int, bool) {
	s, e := sp.Start.Offset, sp.End.Offset
	if e-s < 2 || e > len(data) || data[s] != '"' || data[e-1] != '"' {
		return 0, 0, false
	}
	return s + 1, e - 1, true
}

// scanner reads one Go file of a module.
type scanner struct {
	mi    *moduleIndex
	fset  *token.FileSet
	file  string
	names map[posKey]string // constant names the model evaluated, by position
	pkg   []*ast.File       // the files of the file's package
	sql   []SQLText
}

func (s *scanner) off(p token.Pos) int { return s.fset.Position(p).Offset }

// nameAt is the occurrence of a service name given as an argument: inside
// the quotes of a literal, or over the expression naming a constant.
func (s *scanner) nameAt(arg ast.Expr, where string, def bool) *Occurrence {
	p := s.fset.Position(arg.Pos())
	name, ok := s.names[posKey{p.Filename, p.Line, p.Column}]
	if !ok {
		return nil
	}
	o := &Occurrence{File: s.file, Start: s.off(arg.Pos()), End: s.off(arg.End()), Kind: Service, Name: name, Def: def, Where: where, Module: s.mi.name}
	if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING && lit.Value[1:len(lit.Value)-1] == name {
		o.Start, o.End, o.Literal = o.Start+1, o.End-1, true
	}
	return o
}

func (s *scanner) scan(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			if n.Tok == token.CONST {
				s.consts(n)
			}
		case *ast.BasicLit:
			s.literal(n)
		case *ast.CallExpr:
			s.call(n)
		}
		return true
	})
}

// literal records a string literal that is SQL.
func (s *scanner) literal(lit *ast.BasicLit) {
	if lit.Kind != token.STRING {
		return
	}
	v, err := strconv.Unquote(lit.Value)
	if err != nil || !looksLikeSQL(v) {
		return
	}
	raw := lit.Value[1 : len(lit.Value)-1]
	if raw != v {
		return // escapes: offsets in the value are not offsets in the file
	}
	start := s.off(lit.Pos()) + 1
	s.sql = append(s.sql, SQLText{Start: start, End: start + len(raw), SQL: v})
}

// consts records the module's string constants.
func (s *scanner) consts(d *ast.GenDecl) {
	for _, spec := range d.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok || len(vs.Names) != len(vs.Values) {
			continue
		}
		for i, v := range vs.Values {
			lit, ok := v.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			val, err := strconv.Unquote(lit.Value)
			if err != nil || val == "" || strings.ContainsAny(val, " \n\t") || !strings.Contains(val, ".") {
				continue
			}
			id := vs.Names[i]
			s.mi.consts = append(s.mi.consts, stringConst{file: s.file, value: val,
				name:      Location{s.file, s.off(id.Pos()), s.off(id.End())},
				lit:       Location{s.file, s.off(lit.Pos()) + 1, s.off(lit.End()) - 1},
				literalOK: lit.Value[1:len(lit.Value)-1] == val})
		}
	}
}

// call records registrations, lookups, settings and routes.
func (s *scanner) call(call *ast.CallExpr) {
	fun := ast.Unparen(call.Fun)
	var typeArgs []ast.Expr
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun, typeArgs = f.X, []ast.Expr{f.Index}
	case *ast.IndexListExpr:
		fun, typeArgs = f.X, f.Indices
	}
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	switch name := sel.Sel.Name; {
	case name == "RegisterService" && len(call.Args) >= 2:
		o := s.nameAt(call.Args[0], "registration", true)
		if o == nil {
			return
		}
		s.mi.occ = append(s.mi.occ, o)
		svc := &ServiceInfo{Name: o.Name, Provider: s.mi.name, Registration: o.Loc()}
		for _, a := range call.Args[2:] {
			if lit, ok := ast.Unparen(a).(*ast.CompositeLit); ok {
				svc.Methods = append(svc.Methods, methodOf(lit))
			}
		}
		s.mi.services = append(s.mi.services, svc)
	case name == "Service" && len(typeArgs) == 1 && len(call.Args) == 2:
		if o := s.nameAt(call.Args[1], "lookup", false); o != nil {
			s.mi.occ = append(s.mi.occ, o)
		}
	case name == "Settings" && len(typeArgs) == 1 && len(call.Args) == 1:
		if id, ok := typeArgs[0].(*ast.Ident); ok {
			s.settings(id.Name)
		}
	case name == "GET" || name == "POST" || name == "PUT" || name == "DELETE":
		if len(call.Args) != 2 {
			return
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		path, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.HasPrefix(path, "/") {
			return
		}
		r := &RouteInfo{Module: s.mi.name, Method: name, Path: path, Handler: types.ExprString(call.Args[1]),
			Loc: Location{s.file, s.off(lit.Pos()) + 1, s.off(lit.End()) - 1}}
		switch {
		case name == "POST" || name == "PUT":
			if len(typeArgs) == 2 {
				r.Request, r.Response = types.ExprString(typeArgs[0]), types.ExprString(typeArgs[1])
			}
		case len(typeArgs) == 1:
			r.Response = types.ExprString(typeArgs[0])
		}
		if r.Response == "" {
			r.Request, r.Response = s.handlerModels(call.Args[1], name == "POST" || name == "PUT")
		}
		s.mi.routes = append(s.mi.routes, r)
		s.mi.occ = append(s.mi.occ, &Occurrence{File: s.file, Start: r.Loc.Start, End: r.Loc.End, Kind: Route, Name: r.Name(), Def: true, Where: "route", Module: s.mi.name})
	}
}

// handlerModels reads the request and response models from the handler's
// declaration in the package (a function or a method named as given).
func (s *scanner) handlerModels(h ast.Expr, body bool) (req, resp string) {
	var name string
	switch h := ast.Unparen(h).(type) {
	case *ast.Ident:
		name = h.Name
	case *ast.SelectorExpr:
		name = h.Sel.Name
	case *ast.FuncLit:
		return models(h.Type, body)
	default:
		return "", ""
	}
	for _, f := range s.pkg {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name {
				return models(fd.Type, body)
			}
		}
	}
	return "", ""
}

func models(ft *ast.FuncType, body bool) (req, resp string) {
	if ft.Results != nil && len(ft.Results.List) > 0 {
		resp = types.ExprString(ft.Results.List[0].Type)
	}
	if body && ft.Params != nil {
		var params []ast.Expr
		for _, f := range ft.Params.List {
			for range max(1, len(f.Names)) {
				params = append(params, f.Type)
			}
		}
		if len(params) == 3 {
			req = types.ExprString(params[2])
		}
	}
	return req, resp
}

// settings records the fields of the settings struct named typ, declared
// in the file's package.
func (s *scanner) settings(typ string) {
	for _, f := range s.pkg {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok || ts.Name.Name != typ {
					continue
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				file := s.fset.File(f.Pos()).Name()
				for _, fld := range st.Fields.List {
					var tag reflect.StructTag
					if fld.Tag != nil {
						if t, err := strconv.Unquote(fld.Tag.Value); err == nil {
							tag = reflect.StructTag(t)
						}
					}
					key, _, _ := strings.Cut(tag.Get("json"), ",")
					for _, id := range fld.Names {
						if !id.IsExported() {
							continue
						}
						k := key
						if k == "" || k == "-" {
							k = ""
						}
						def, hasDef := tag.Lookup("default")
						si := &SettingInfo{Module: s.mi.name, Field: id.Name, Type: types.ExprString(fld.Type), Key: k,
							Default: def, HasDefault: hasDef, Validate: tag.Get("validate"), Doc: strings.TrimSpace(fld.Doc.Text()),
							Loc: Location{file, s.fset.Position(id.Pos()).Offset, s.fset.Position(id.End()).Offset}}
						if k == "" {
							continue // no key: MOD004 reports it; there is nothing to read it from
						}
						if dup(s.mi.settings, si) {
							continue
						}
						s.mi.settings = append(s.mi.settings, si)
						s.mi.occ = append(s.mi.occ, &Occurrence{File: file, Start: si.Loc.Start, End: si.Loc.End, Kind: Setting, Name: si.key(), Def: true, Where: "settings field", Module: s.mi.name})
					}
				}
			}
		}
	}
}

func dup(list []*SettingInfo, s *SettingInfo) bool {
	for _, o := range list {
		if o.Loc == s.Loc {
			return true
		}
	}
	return false
}

// methodOf reads a ServiceMethod literal's constant fields.
func methodOf(lit *ast.CompositeLit) Method {
	var m Method
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		k, ok := kv.Key.(*ast.Ident)
		if !ok {
			continue
		}
		switch k.Name {
		case "Name":
			m.Name = stringOf(kv.Value)
		case "Description":
			m.Description = stringOf(kv.Value)
		case "Returns":
			m.Returns = stringOf(kv.Value)
		case "Example":
			m.Example = stringOf(kv.Value)
		case "Params":
			pl, ok := kv.Value.(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, pe := range pl.Elts {
				plit, ok := pe.(*ast.CompositeLit)
				if !ok {
					continue
				}
				var p Param
				for _, pel := range plit.Elts {
					pkv, ok := pel.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch pk, _ := pkv.Key.(*ast.Ident); {
					case pk == nil:
					case pk.Name == "Name":
						p.Name = stringOf(pkv.Value)
					case pk.Name == "Type":
						p.Type = stringOf(pkv.Value)
					case pk.Name == "Description":
						p.Description = stringOf(pkv.Value)
					}
				}
				m.Params = append(m.Params, p)
			}
		}
	}
	return m
}

func stringOf(e ast.Expr) string {
	if lit, ok := ast.Unparen(e).(*ast.BasicLit); ok && lit.Kind == token.STRING {
		if s, err := strconv.Unquote(lit.Value); err == nil {
			return s
		}
	}
	return ""
}

// readMigration adds the tables and columns a migration defines.
func (mi *moduleIndex) readMigration(file string, t SQLText) {
	stmt := squash(t.SQL)
	for _, d := range readDDL(t.SQL) {
		name := d.name.text
		var tbl *TableInfo
		for _, x := range mi.tables {
			if x.Name == name {
				tbl = x
			}
		}
		if d.create {
			if tbl != nil {
				continue
			}
			tbl = &TableInfo{Name: name, Module: mi.name, Statement: stmt, Loc: nameLoc(file, t, d.name)}
			mi.tables = append(mi.tables, tbl)
			mi.occ = append(mi.occ, &Occurrence{File: file, Start: tbl.Loc.Start, End: tbl.Loc.End, Kind: Table, Name: name, Def: true, Where: "migration", Literal: !d.name.quoted, Module: mi.name})
		} else if tbl == nil {
			continue
		}
		for _, c := range d.columns {
			ci := &ColumnInfo{Table: name, Name: c.name.text, Definition: c.definition, Added: !d.create, Statement: stmt, Loc: nameLoc(file, t, c.name)}
			tbl.Columns = append(tbl.Columns, ci)
			mi.occ = append(mi.occ, &Occurrence{File: file, Start: ci.Loc.Start, End: ci.Loc.End, Kind: Column, Name: name + "." + ci.Name, Def: true, Where: "migration", Literal: !c.name.quoted, Module: mi.name})
		}
	}
}

func nameLoc(file string, t SQLText, tok sqlToken) Location {
	return Location{file, t.Start + tok.start, t.Start + tok.end}
}

// indexSQL adds the names of the module's tables and columns written in
// its SQL (migrations included, past their definitions).
func (mi *moduleIndex) indexSQL() {
	if len(mi.tables) == 0 {
		return
	}
	defs := map[int]bool{}
	for _, o := range mi.occ {
		if o.Def && (o.Kind == Table || o.Kind == Column) {
			defs[o.Start] = true
		}
	}
	for file, texts := range mi.sql {
		for _, t := range texts {
			for _, r := range mi.resolve(t.SQL) {
				start := t.Start + r.tok.start
				if defs[start] {
					continue
				}
				where := "query"
				if t.Migration {
					where = "migration"
				}
				mi.occ = append(mi.occ, &Occurrence{File: file, Start: start, End: t.Start + r.tok.end, Kind: r.kind, Name: r.name, Where: where, Literal: !r.tok.quoted, Module: mi.name})
			}
		}
	}
}

type resolved struct {
	tok  sqlToken
	kind Kind
	name string
}

// resolve finds the module's tables and columns named in a statement: a
// word that is a table's name is that table; a column's name is the
// column of the table that qualifies it (table.column), else of the first
// table the statement names that has it, else of the only table of the
// module that has it.
func (mi *moduleIndex) resolve(sql string) []resolved {
	toks := lex(sql)
	tables := map[string]*TableInfo{}
	for _, t := range mi.tables {
		tables[strings.ToLower(t.Name)] = t
	}
	var named []*TableInfo
	for _, t := range toks {
		if tb := tables[strings.ToLower(t.text)]; t.ident && tb != nil {
			named = append(named, tb)
		}
	}
	hasColumn := func(t *TableInfo, c string) bool {
		for _, col := range t.Columns {
			if strings.EqualFold(col.Name, c) {
				return true
			}
		}
		return false
	}
	var out []resolved
	for i, t := range toks {
		if !t.ident {
			continue
		}
		if tb := tables[strings.ToLower(t.text)]; tb != nil {
			out = append(out, resolved{t, Table, tb.Name})
			continue
		}
		var owner *TableInfo
		if i >= 2 && toks[i-1].text == "." {
			if tb := tables[strings.ToLower(toks[i-2].text)]; tb != nil && hasColumn(tb, t.text) {
				owner = tb
			}
		}
		if owner == nil && !(i+1 < len(toks) && toks[i+1].text == "(" && !t.quoted) {
			for _, tb := range named {
				if hasColumn(tb, t.text) {
					owner = tb
					break
				}
			}
			if owner == nil && len(named) == 0 {
				for _, tb := range mi.tables {
					if hasColumn(tb, t.text) {
						owner = tb
						break
					}
				}
			}
		}
		if owner == nil {
			continue
		}
		for _, col := range owner.Columns {
			if strings.EqualFold(col.Name, t.text) {
				out = append(out, resolved{t, Column, owner.Name + "." + col.Name})
			}
		}
	}
	return out
}
