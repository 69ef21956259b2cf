package workspace

import (
	"crypto/sha256"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// scanModule reads the module's Go syntax (no type checking) for the calls
// other modules' rules need: registrations, lookups and migrations. Calls
// are matched by shape (x.RegisterService("name", ...), framework.Service[T](x,
// "name"), x.Migrate("sql", ...)); the rules that type-check confirm them.
func scanModule(m *Module, overlay Overlay) {
	byDir := map[string][]*ast.File{}
	fsets := map[*ast.File]*token.FileSet{}
	var dirs []string
	for _, name := range m.Files {
		// Tests may boot fake modules: their registrations, lookups and
		// schema are not the module's.
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := overlay.readFile(name)
		if err != nil {
			continue
		}
		f, fset := parseCached(name, src)
		if f == nil {
			continue
		}
		fsets[f] = fset
		dir := filepath.Dir(name)
		if byDir[dir] == nil {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], f)
	}
	sort.Strings(dirs) // the module's own package first, then its sub-packages, in a stable order
	for _, dir := range dirs {
		files := byDir[dir]
		consts := stringConsts(files)
		for _, f := range files {
			scanFile(m, fsets[f], f, consts)
		}
	}
}

// stringConsts collects the package-level string constants of a package.
func stringConsts(files []*ast.File) map[string]string {
	consts := map[string]string{}
	for pass := 0; pass < 2; pass++ { // a second pass resolves constants defined by other constants
		for _, f := range files {
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := ConstString(vs.Values[i], consts); ok {
								consts[name.Name] = s
							}
						}
					}
				}
			}
		}
	}
	return consts
}

// ConstString evaluates e if it is a string literal, a package-level string
// constant in consts, or a + of those.
func ConstString(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return ConstString(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok1 := ConstString(e.X, consts)
		y, ok2 := ConstString(e.Y, consts)
		return x + y, ok1 && ok2
	}
	return "", false
}

func scanFile(m *Module, fset *token.FileSet, f *ast.File, consts map[string]string) {
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch fun := ast.Unparen(call.Fun).(type) {
		case *ast.SelectorExpr:
			switch fun.Sel.Name {
			case "RegisterService":
				if len(call.Args) > 0 {
					if name, ok := ConstString(call.Args[0], consts); ok {
						methods := len(call.Args) - 2
						if call.Ellipsis.IsValid() {
							methods = -1
						} else if methods < 0 {
							methods = 0
						}
						m.Registrations = append(m.Registrations, Call{Service: name, Pos: fset.Position(call.Args[0].Pos()), Methods: methods})
					}
				}
			case "Migrate":
				for _, a := range call.Args {
					if sql, ok := ConstString(a, consts); ok {
						m.Migrations = append(m.Migrations, Migration{SQL: sql, Pos: fset.Position(a.Pos())})
					}
				}
			}
		case *ast.IndexExpr:
			if sel, ok := fun.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Service" && len(call.Args) == 2 {
				if name, ok := ConstString(call.Args[1], consts); ok {
					m.Lookups = append(m.Lookups, Call{Service: name, Pos: fset.Position(call.Args[1].Pos())})
				}
			}
		}
		return true
	})
}

// parsed keeps the syntax of recently scanned files, by name and content,
// so that a change to one file of a module re-parses that file only. Each
// file has a FileSet of its own; the trees are only read.
var parsed struct {
	sync.Mutex
	byKey map[parseKey]parsedFile
}

type parseKey struct {
	name string
	sum  [sha256.Size]byte
}

type parsedFile struct {
	f    *ast.File
	fset *token.FileSet
}

// maxParsed bounds the cache; past it, it starts afresh.
const maxParsed = 2048

func parseCached(name string, src []byte) (*ast.File, *token.FileSet) {
	key := parseKey{name, sha256.Sum256(src)}
	parsed.Lock()
	if pf, ok := parsed.byKey[key]; ok {
		parsed.Unlock()
		return pf.f, pf.fset
	}
	parsed.Unlock()
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if f == nil {
		return nil, nil
	}
	parsed.Lock()
	if parsed.byKey == nil || len(parsed.byKey) >= maxParsed {
		parsed.byKey = map[parseKey]parsedFile{}
	}
	parsed.byKey[key] = parsedFile{f, fset}
	parsed.Unlock()
	return f, fset
}
