package codeactions

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// dropNewlyUnusedImports removes the imports of after that before used and
// after no longer does: a fix that replaced errors.New with framework.Errorf
// leaves "errors" behind. Imports that were already unused, blank and dot
// imports are left alone. On any parse failure the source is returned as
// it is.
func dropNewlyUnusedImports(before, after []byte) []byte {
	fset := token.NewFileSet()
	fb, err := parser.ParseFile(fset, "before.go", before, parser.SkipObjectResolution)
	if err != nil {
		return after
	}
	fa, err := parser.ParseFile(fset, "after.go", after, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return after
	}
	usedBefore := usedNames(fb)
	usedAfter := usedNames(fa)
	changed := false
	for _, spec := range append([]*ast.ImportSpec(nil), fa.Imports...) {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		name := importName(spec, p)
		if name == "_" || name == "." {
			continue
		}
		if usedBefore[name] && !usedAfter[name] {
			explicit := ""
			if spec.Name != nil {
				explicit = spec.Name.Name
			}
			if astutil.DeleteNamedImport(fset, fa, explicit, p) {
				changed = true
			}
		}
	}
	if !changed {
		return after
	}
	var b bytes.Buffer
	if err := format.Node(&b, fset, fa); err != nil {
		return after
	}
	return b.Bytes()
}

// usedNames are the identifiers used as the package of a selector (x in
// x.Y).
func usedNames(f *ast.File) map[string]bool {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	return used
}

// importName is the name an import is used under: its explicit name, or
// the last element of its path without a major-version suffix.
func importName(spec *ast.ImportSpec, p string) string {
	if spec.Name != nil {
		return spec.Name.Name
	}
	base := path.Base(p)
	if strings.HasPrefix(base, "v") && len(base) > 1 && strings.Trim(base[1:], "0123456789") == "" {
		base = path.Base(path.Dir(p))
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexAny(base, ".-"); i >= 0 {
		base = base[:i]
	}
	return base
}
