package workspace

import (
	"crypto/sha256"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// The calls the model records, recognised by their shape:
// x.RegisterService(name, impl, methods...), framework.Service[T](x, name),
// x.Migrate(sql...), and database calls x.Query(…), x.Exec(…) and the like.
// The rules that type-check confirm them; the model only needs their
// constant arguments, which are evaluated by the type checker (consts.go).
type callKind int

const (
	registration callKind = iota
	lookup
	migration
	query
)

// candidate is a call of one of the recorded shapes.
type candidate struct {
	kind callKind
	call *ast.CallExpr
	// args are the arguments whose constant value the model records.
	args []ast.Expr
}

// dbMethods are the names of the database calls whose SQL the model
// records: framework.DB's and framework.Tx's, and database/sql's.
var dbMethods = map[string]bool{
	"Query": true, "QueryRow": true, "Exec": true, "Prepare": true,
	"QueryContext": true, "QueryRowContext": true, "ExecContext": true, "PrepareContext": true,
}

// scanModule reads the module's Go code for the calls other rules need:
// registrations, lookups, migrations and queries. Test files are left out:
// tests may boot fake modules, whose registrations, lookups and schema are
// not the module's. With regsOnly, only the registrations are read, and a
// package whose registrations all name their service by a literal is read
// from its tokens (literalRegistrations), without being parsed.
func scanModule(w *Workspace, m *Module, overlay Overlay, regsOnly bool) {
	names := map[string][]string{}
	var dirs []string
	for _, name := range m.Files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		dir := filepath.Dir(name)
		if names[dir] == nil {
			dirs = append(dirs, dir)
		}
		names[dir] = append(names[dir], name)
	}
	sort.Strings(dirs) // the module's own package first, then its sub-packages, in a stable order
	byDir := map[string][]srcFile{}
	read := func(dir string) {
		for _, name := range names[dir] {
			if src, err := w.read(overlay, name); err == nil {
				byDir[dir] = append(byDir[dir], srcFile{name, src})
			}
		}
	}
	gen := currentGeneration()
	ev := newEvaluator(w, overlay)
	m.constImports = nil
	for _, dir := range dirs {
		if regsOnly {
			if w.regs != nil {
				if calls, ok := w.regs.Registrations(dir, names[dir]); ok {
					m.Registrations = append(m.Registrations, calls...)
					continue
				}
			}
			read(dir)
			if calls, ok := literalRegistrations(byDir[dir]); ok {
				if w.regs != nil && len(byDir[dir]) == len(names[dir]) {
					w.regs.Read(dir, names[dir], calls)
				}
				m.Registrations = append(m.Registrations, calls...)
				continue
			}
		} else {
			read(dir)
			if w.regs != nil && len(byDir[dir]) == len(names[dir]) {
				// For a later load that reads the module in part.
				if calls, ok := literalRegistrations(byDir[dir]); ok {
					w.regs.Read(dir, names[dir], calls)
				}
			}
		}
		srcs := map[*ast.File][]byte{}
		var files []*ast.File
		for _, sf := range byDir[dir] {
			if f := gen.parse(sf.name, sf.src); f != nil {
				srcs[f] = sf.src
				files = append(files, f)
			}
		}
		files = buildable(gen.fset, files, srcs)
		var cands []candidate
		for _, f := range files {
			for _, c := range candidates(f) {
				if !regsOnly || c.kind == registration {
					cands = append(cands, c)
				}
			}
		}
		if len(cands) == 0 {
			continue
		}
		values := ev.values(importPath(w, dir), gen, files, srcs, cands)
		for p := range ev.used {
			m.constImports = append(m.constImports, p)
		}
		clear(ev.used)
		for _, c := range cands {
			record(m, gen.fset, c, values)
		}
	}
}

// srcFile is a file's name and contents.
type srcFile struct {
	name string
	src  []byte
}

func importPath(w *Workspace, dir string) string {
	rel, err := filepath.Rel(w.Root, dir)
	if err != nil || rel == "." {
		return w.ModulePath
	}
	return w.ModulePath + "/" + filepath.ToSlash(rel)
}

// candidates finds the calls of the recorded shapes in f.
func candidates(f *ast.File) []candidate {
	var out []candidate
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch fun := ast.Unparen(call.Fun).(type) {
		case *ast.SelectorExpr:
			switch name := fun.Sel.Name; {
			case name == "RegisterService" && len(call.Args) > 0:
				out = append(out, candidate{registration, call, call.Args[:1]})
			case name == "Migrate" && len(call.Args) > 0:
				out = append(out, candidate{migration, call, call.Args})
			case dbMethods[name] && len(call.Args) > 0:
				out = append(out, candidate{query, call, call.Args[:min(2, len(call.Args))]})
			}
		case *ast.IndexExpr:
			if sel, ok := fun.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Service" && len(call.Args) == 2 {
				out = append(out, candidate{lookup, call, call.Args[1:]})
			}
		}
		return true
	})
	return out
}

// record adds what a call says to the module, given the constant values of
// the package's expressions.
func record(m *Module, fset *token.FileSet, c candidate, values map[ast.Expr]constant.Value) {
	str := func(e ast.Expr) (string, bool) {
		v := values[e]
		if v == nil || v.Kind() != constant.String {
			return "", false
		}
		return constant.StringVal(v), true
	}
	pos := func(e ast.Expr) token.Position { return fset.Position(e.Pos()) }
	call := c.call
	switch c.kind {
	case registration:
		arg := call.Args[0]
		name, ok := str(arg)
		if !ok {
			m.NonConstant = append(m.NonConstant, NonConstant{What: "registration", Pos: pos(arg)})
			return
		}
		methods := len(call.Args) - 2
		if call.Ellipsis.IsValid() {
			methods = -1
		} else if methods < 0 {
			methods = 0
		}
		m.Registrations = append(m.Registrations, Call{Service: name, Pos: pos(arg), Methods: methods})
	case lookup:
		arg := call.Args[1]
		name, ok := str(arg)
		if !ok {
			m.NonConstant = append(m.NonConstant, NonConstant{What: "lookup", Pos: pos(arg)})
			return
		}
		m.Lookups = append(m.Lookups, Call{Service: name, Pos: pos(arg)})
	case migration:
		for _, a := range call.Args {
			sql, ok := str(a)
			if !ok || call.Ellipsis.IsValid() {
				m.NonConstant = append(m.NonConstant, NonConstant{What: "migration", Pos: pos(a)})
				continue
			}
			m.Migrations = append(m.Migrations, Migration{SQL: sql, Pos: pos(a)})
		}
	case query:
		// The SQL is the first argument that is a constant string (the
		// second of DB.Query(ctx, sql) and of the Context methods).
		for _, a := range c.args {
			if sql, ok := str(a); ok {
				m.Queries = append(m.Queries, Query{SQL: sql, Pos: pos(a)})
				return
			}
		}
	}
}

// generation is one FileSet with the files parsed into it, by name and
// content, so that a change to one file of a module re-parses that file
// only, and a package's files share the FileSet the type checker needs.
// The trees are only read. Past maxParsed files a new generation starts,
// so that a long-running process does not keep every version of every
// file. Of the trees, the maxKept parsed last are kept: those of the
// modules being edited, not those of every file the load read (a quarter
// of the server's heap at 1,000 modules, for parses the next rebuild of a
// module does again in a millisecond).
type generation struct {
	fset  *token.FileSet
	mu    sync.Mutex
	byKey map[parseKey]keptTree
	// byName is the key of each file's last parse: only that one is
	// kept, so that a file edited thousands of times (every keystroke
	// of an editor) holds one syntax tree, not one per version. parsed
	// counts the parses, which all hold on to the file set.
	byName map[string]parseKey
	parsed int
}

// keptTree is a syntax tree a generation keeps and when it was parsed
// (the generation's parse count then).
type keptTree struct {
	file *ast.File
	at   int
}

type parseKey struct {
	name string
	sum  [sha256.Size]byte
}

// maxParsed bounds a generation: the parses its file set records.
const maxParsed = 2048

// maxKept bounds the syntax trees a generation keeps.
const maxKept = 256

var generations struct {
	sync.Mutex
	cur *generation
}

func currentGeneration() *generation {
	generations.Lock()
	defer generations.Unlock()
	if generations.cur == nil || generations.cur.size() >= maxParsed {
		generations.cur = &generation{fset: token.NewFileSet(), byKey: map[parseKey]keptTree{}, byName: map[string]parseKey{}}
	}
	return generations.cur
}

// DropParses empties the cache of parsed files, which holds up to
// maxParsed parses' line tables and the trees of the maxKept files parsed
// last: the next rebuild of a module parses its files again. For tests
// that bound the growth of a long-running process's live heap, whose
// bounded caches would otherwise count as growth.
func DropParses() {
	generations.Lock()
	generations.cur = nil
	generations.Unlock()
}

func (g *generation) size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.parsed
}

// parse returns the syntax of a file, or nil when nothing of it parses.
func (g *generation) parse(name string, src []byte) *ast.File {
	key := parseKey{name, sha256.Sum256(src)}
	g.mu.Lock()
	kept, ok := g.byKey[key]
	g.mu.Unlock()
	if ok {
		return kept.file
	}
	f, _ := parser.ParseFile(g.fset, name, src, parser.SkipObjectResolution)
	if f == nil {
		return nil
	}
	g.mu.Lock()
	if old, ok := g.byName[name]; ok && old != key {
		delete(g.byKey, old)
	}
	g.parsed++
	g.byKey[key] = keptTree{f, g.parsed}
	g.byName[name] = key
	for len(g.byKey) > maxKept {
		// The tree parsed first goes (a scan of at most maxKept+1).
		var oldest parseKey
		first := -1
		for k, t := range g.byKey {
			if first < 0 || t.at < first {
				oldest, first = k, t.at
			}
		}
		delete(g.byKey, oldest)
		if g.byName[oldest.name] == oldest {
			delete(g.byName, oldest.name)
		}
	}
	g.mu.Unlock()
	return f
}
