package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/build"
	"go/constant"
	"go/token"
	"go/types"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The model's facts are Go constants, whatever their spelling: a literal,
// a constant of the package, a constant of another package of the Go
// module (contract.ServiceName), a typed constant, an expression of
// constants. The type checker evaluates them. Packages of the Go module
// that the evaluated code imports are type-checked too, from their
// declarations only; packages outside the Go module (the standard library,
// the framework, other modules) stand in as empty packages, so a constant
// built from one of theirs is not resolved and is recorded as not
// constant. Nothing here needs the dependencies' types, which keeps a
// model cheap enough to rebuild on every keystroke.

// evaluator evaluates the recorded calls' arguments of one model build.
type evaluator struct {
	w       *Workspace
	overlay Overlay
	// pkgs are the declarations of the module's packages imported so
	// far, by import path (nil while one is being checked: a cycle).
	pkgs map[string]*declPkg
	// used collects the packages of the Go module imported by the code
	// evaluated since it was last reset.
	used map[string]bool
	// indexes are the constant indexes of packages, by import path.
	indexes map[string]*constIndex
}

type declPkg struct {
	types *types.Package
	key   string // covers its files and its imports' keys
}

func newEvaluator(w *Workspace, overlay Overlay) *evaluator {
	return &evaluator{w: w, overlay: overlay, pkgs: map[string]*declPkg{}, used: map[string]bool{}, indexes: map[string]*constIndex{}}
}

// values returns the constant value of each candidate argument of a
// package's files (srcs holds their source). A literal needs no type
// checking. Any other argument is evaluated in the scope of the package's
// declarations, type-checked without function bodies, unless it names a
// local declaration of its function: a local variable or parameter makes
// it not constant, and a local constant has the function's body checked.
func (ev *evaluator) values(path string, gen *generation, files []*ast.File, srcs map[*ast.File][]byte, cands []candidate) map[ast.Expr]constant.Value {
	out := map[ast.Expr]constant.Value{}
	type pending struct {
		arg ast.Expr
		fd  *ast.FuncDecl
	}
	var rest []pending
	for _, c := range cands {
		for _, a := range c.args {
			if lit, ok := ast.Unparen(a).(*ast.BasicLit); ok {
				out[a] = constant.MakeFromLiteral(lit.Value, lit.Kind, 0)
			} else {
				rest = append(rest, pending{a, enclosingFunc(files, a)})
			}
		}
	}
	if len(rest) == 0 {
		return out
	}
	locals := map[*ast.FuncDecl]map[string]declKind{}
	bodies := map[*ast.FuncDecl]bool{}
	var inScope []pending
	var idx *constIndex
	for _, p := range rest {
		var loc map[string]declKind
		if p.fd != nil {
			if locals[p.fd] == nil {
				locals[p.fd] = localDecls(p.fd)
			}
			loc = locals[p.fd]
		}
		refs := freeNames(p.arg)
		if !anyKind(refs, loc, localConst|localOther) {
			if idx == nil {
				idx = ev.index(path, files)
			}
			if v, ok := idx.eval(ev, p.arg, fileOf(files, p.arg), 0); ok {
				out[p.arg] = v
				continue
			}
		}
		if p.fd == nil {
			inScope = append(inScope, p)
			continue
		}
		switch {
		case anyKind(refs, loc, localConst):
			bodies[p.fd] = true
		case anyKind(refs, loc, localOther):
			// A local variable or parameter: not a constant.
		default:
			inScope = append(inScope, p)
		}
	}
	if len(inScope) > 0 {
		if dp := ev.check(path, gen, files, srcs); dp != nil && dp.types != nil {
			for _, p := range inScope {
				info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
				if types.CheckExpr(gen.fset, dp.types, p.arg.Pos(), p.arg, info) == nil {
					if tv := info.Types[p.arg]; tv.Value != nil {
						out[p.arg] = tv.Value
					}
				}
			}
		}
	}
	if len(bodies) > 0 {
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		_, _ = ev.config().Check(path, gen.fset, withBodiesOf(files, bodies), info)
		for _, p := range rest {
			if bodies[p.fd] {
				if tv := info.Types[p.arg]; tv.Value != nil {
					out[p.arg] = tv.Value
				}
			}
		}
	}
	return out
}

// constIndex holds a package's package-level constants declared with an
// expression of literals and other constants: the common case, whose value
// the evaluator computes without type checking, as the type checker would.
// Anything else (a typed or converted constant, iota, a dot import, a
// function of constants) is left to the type checker.
type constIndex struct {
	path   string
	consts map[string]ast.Expr
	// imports maps each file's import names to their paths.
	imports map[*ast.File]map[string]string
}

// index returns the constant index of the package path, made of files.
func (ev *evaluator) index(path string, files []*ast.File) *constIndex {
	if ix, ok := ev.indexes[path]; ok {
		return ix
	}
	ix := &constIndex{path: path, consts: map[string]ast.Expr{}, imports: map[*ast.File]map[string]string{}}
	for _, f := range files {
		names := map[string]string{}
		for _, spec := range f.Imports {
			ip, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			name := path2name(ip)
			if spec.Name != nil {
				name = spec.Name.Name
			}
			names[name] = ip
		}
		ix.imports[f] = names
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Values) != len(vs.Names) {
					continue // an implicit repetition (iota)
				}
				if vs.Type != nil {
					if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "string" {
						continue
					}
				}
				for i, n := range vs.Names {
					ix.consts[n.Name] = vs.Values[i]
				}
			}
		}
	}
	ev.indexes[path] = ix
	return ix
}

// path2name is the name an import path is usually imported under: its
// last element. A package named otherwise is left to the type checker.
func path2name(p string) string {
	return path.Base(p)
}

// eval computes e if it is a string literal, a constant of the index's
// package or of an imported package of the Go module declared as one, or
// a + of those.
func (ix *constIndex) eval(ev *evaluator, e ast.Expr, f *ast.File, depth int) (constant.Value, bool) {
	if depth > 32 || f == nil && !isLiteral(e) {
		return nil, false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return nil, false
		}
		return constant.MakeFromLiteral(e.Value, e.Kind, 0), true
	case *ast.ParenExpr:
		return ix.eval(ev, e.X, f, depth+1)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil, false
		}
		x, ok1 := ix.eval(ev, e.X, f, depth+1)
		y, ok2 := ix.eval(ev, e.Y, f, depth+1)
		if !ok1 || !ok2 {
			return nil, false
		}
		return constant.BinaryOp(x, token.ADD, y), true
	case *ast.Ident:
		if _, imported := ix.imports[f][e.Name]; imported {
			return nil, false
		}
		decl, ok := ix.consts[e.Name]
		if !ok {
			return nil, false
		}
		return ix.eval(ev, decl, ix.fileOfDecl(decl), depth+1)
	case *ast.SelectorExpr:
		pkgID, ok := e.X.(*ast.Ident)
		if !ok || ix.consts[pkgID.Name] != nil {
			return nil, false
		}
		ip, ok := ix.imports[f][pkgID.Name]
		if !ok || ip != ev.w.ModulePath && !strings.HasPrefix(ip, ev.w.ModulePath+"/") {
			return nil, false
		}
		other := ev.indexOf(ip)
		if other == nil {
			return nil, false
		}
		decl, ok := other.consts[e.Sel.Name]
		if !ok || !ast.IsExported(e.Sel.Name) {
			return nil, false
		}
		ev.used[ip] = true
		return other.eval(ev, decl, other.fileOfDecl(decl), depth+1)
	}
	return nil, false
}

func isLiteral(e ast.Expr) bool {
	_, ok := e.(*ast.BasicLit)
	return ok
}

func (ix *constIndex) fileOfDecl(e ast.Expr) *ast.File {
	for f := range ix.imports {
		if f.FileStart <= e.Pos() && e.Pos() <= f.FileEnd {
			return f
		}
	}
	return nil
}

// indexOf returns the constant index of another package of the Go module,
// or nil when it has no buildable files or is not named as its path ends.
func (ev *evaluator) indexOf(p string) *constIndex {
	if ix, ok := ev.indexes[p]; ok {
		return ix
	}
	_, files, _ := ev.parsePackage(p)
	if len(files) == 0 || files[0].Name.Name != path2name(p) {
		ev.indexes[p] = nil
		return nil
	}
	return ev.index(p, files)
}

// fileOf is the file of files that holds e.
func fileOf(files []*ast.File, e ast.Expr) *ast.File {
	for _, f := range files {
		if f.FileStart <= e.Pos() && e.Pos() <= f.FileEnd {
			return f
		}
	}
	return nil
}

// enclosingFunc is the function declaration whose body holds e, or nil.
func enclosingFunc(files []*ast.File, e ast.Expr) *ast.FuncDecl {
	for _, f := range files {
		if e.Pos() < f.FileStart || e.Pos() > f.FileEnd {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && fd.Body.Pos() <= e.Pos() && e.End() <= fd.Body.End() {
				return fd
			}
		}
	}
	return nil
}

type declKind int

const (
	localConst declKind = 1 << iota
	localOther
)

// localDecls maps the names a function declares (receiver, parameters,
// results, and every declaration of its body, function literals
// included) to what they declare.
func localDecls(fd *ast.FuncDecl) map[string]declKind {
	out := map[string]declKind{}
	fields := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				out[n.Name] |= localOther
			}
		}
	}
	fields(fd.Recv)
	fields(fd.Type.TypeParams)
	fields(fd.Type.Params)
	fields(fd.Type.Results)
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			fields(n.Type.Params)
			fields(n.Type.Results)
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						out[id.Name] |= localOther
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						out[id.Name] |= localOther
					}
				}
			}
		case *ast.GenDecl:
			for _, spec := range n.Specs {
				switch sp := spec.(type) {
				case *ast.ValueSpec:
					for _, id := range sp.Names {
						if n.Tok == token.CONST {
							out[id.Name] |= localConst
						} else {
							out[id.Name] |= localOther
						}
					}
				case *ast.TypeSpec:
					out[sp.Name.Name] |= localConst // a local type may make a typed constant
				}
			}
		case *ast.TypeSwitchStmt:
			if a, ok := n.Assign.(*ast.AssignStmt); ok {
				for _, l := range a.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						out[id.Name] |= localOther
					}
				}
			}
		}
		return true
	})
	return out
}

// freeNames are the identifiers an expression refers to by name: not
// selected field or method names, nor composite literal keys.
func freeNames(e ast.Expr) []string {
	var out []string
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				out = append(out, n.Name)
			case *ast.SelectorExpr:
				walk(n.X)
				return false
			case *ast.KeyValueExpr:
				walk(n.Value)
				return false
			}
			return true
		})
	}
	walk(e)
	return out
}

func anyKind(names []string, decls map[string]declKind, k declKind) bool {
	for _, n := range names {
		if decls[n]&k != 0 {
			return true
		}
	}
	return false
}

func (ev *evaluator) config() *types.Config {
	return &types.Config{
		Importer:    importerFunc(ev.importPkg),
		Error:       func(error) {}, // code that does not type-check here still has constants
		FakeImportC: true,
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// importPkg returns the declarations of a package of the Go module, or an
// empty stand-in for any other package.
func (ev *evaluator) importPkg(p string) (*types.Package, error) {
	if p == "unsafe" {
		return types.Unsafe, nil
	}
	if p != ev.w.ModulePath && !strings.HasPrefix(p, ev.w.ModulePath+"/") {
		return standIn(p), nil
	}
	ev.used[p] = true
	if dp, ok := ev.pkgs[p]; ok {
		if dp == nil {
			return standIn(p), nil // an import cycle: the type checker reports it elsewhere
		}
		return dp.types, nil
	}
	ev.pkgs[p] = nil
	dp := ev.declarations(p)
	ev.pkgs[p] = dp
	if dp == nil {
		return standIn(p), nil
	}
	return dp.types, nil
}

func standIn(p string) *types.Package {
	pkg := types.NewPackage(p, path.Base(p))
	pkg.MarkComplete()
	return pkg
}

// declCache keeps the declarations of packages by content, so that a
// model rebuilt after an edit re-checks only what changed.
var declCache struct {
	sync.Mutex
	byKey map[string]*types.Package
	// byPkg is the key of each package's last check: only that one is
	// kept, so that a package edited at every keystroke holds one.
	byPkg map[string]string
}

// maxDecls bounds declCache; past it, it starts afresh.
const maxDecls = 1024

// declarations type-checks the package with import path p without
// function bodies, or returns nil when it has no buildable Go files.
func (ev *evaluator) declarations(p string) *declPkg {
	gen, files, srcs := ev.parsePackage(p)
	if len(files) == 0 {
		return nil
	}
	return ev.check(p, gen, files, srcs)
}

// check type-checks a package's files without function bodies, once per
// content: the key covers the files and the keys of the packages of the
// Go module they import.
func (ev *evaluator) check(p string, gen *generation, files []*ast.File, srcs map[*ast.File][]byte) *declPkg {
	sum := sha256.New()
	fmt.Fprintf(sum, "%s %p\n", p, gen) // positions are the generation's
	var imports []string
	for _, f := range files {
		fmt.Fprintf(sum, "%s %x\n", gen.fset.File(f.FileStart).Name(), sha256.Sum256(srcs[f]))
		for _, spec := range f.Imports {
			if ip, err := strconv.Unquote(spec.Path.Value); err == nil {
				imports = append(imports, ip)
			}
		}
	}
	sort.Strings(imports)
	for _, ip := range imports {
		if ip == ev.w.ModulePath || strings.HasPrefix(ip, ev.w.ModulePath+"/") {
			if _, err := ev.importPkg(ip); err == nil {
				if dp := ev.pkgs[ip]; dp != nil {
					fmt.Fprintf(sum, "import %s %s\n", ip, dp.key)
				}
			}
		}
	}
	key := hex.EncodeToString(sum.Sum(nil))
	declCache.Lock()
	tp, ok := declCache.byKey[key]
	declCache.Unlock()
	if !ok {
		conf := ev.config()
		conf.IgnoreFuncBodies = true
		tp, _ = conf.Check(p, gen.fset, files, nil)
		declCache.Lock()
		if declCache.byKey == nil || len(declCache.byKey) >= maxDecls {
			declCache.byKey, declCache.byPkg = map[string]*types.Package{}, map[string]string{}
		}
		if old, ok := declCache.byPkg[p]; ok && old != key {
			delete(declCache.byKey, old)
		}
		declCache.byKey[key] = tp
		declCache.byPkg[p] = key
		declCache.Unlock()
	}
	return &declPkg{types: tp, key: key}
}

// parsePackage parses the buildable non-test files of the package of the
// Go module with import path p.
func (ev *evaluator) parsePackage(p string) (*generation, []*ast.File, map[*ast.File][]byte) {
	dir := filepath.Join(ev.w.Root, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(p, ev.w.ModulePath), "/")))
	gen := currentGeneration()
	srcs := map[*ast.File][]byte{}
	var files []*ast.File
	for _, n := range packageFiles(dir, ev.overlay) {
		src, err := ev.w.read(ev.overlay, n)
		if err != nil {
			continue
		}
		if f := gen.parse(n, src); f != nil {
			srcs[f] = src
			files = append(files, f)
		}
	}
	return gen, buildable(gen.fset, files, srcs), srcs
}

// packageFiles lists the non-test .go files of dir, on disk and in the
// overlay.
func packageFiles(dir string, overlay Overlay) []string {
	seen := map[string]bool{}
	var out []string
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			n := e.Name()
			if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && e.Type().IsRegular() {
				full := filepath.Join(dir, n)
				seen[full] = true
				out = append(out, full)
			}
		}
	}
	for name := range overlay {
		if filepath.Dir(name) == dir && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !seen[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// buildableFile reports whether the go command builds a file for this
// platform, by its name and build constraints. A file whose name has no
// suffix and whose source has no constraint, the usual case, needs no
// further look.
func buildableFile(name string, src []byte) bool {
	base := filepath.Base(name)
	if !strings.Contains(base, "_") && !bytes.Contains(src, []byte("//go:build")) && !bytes.Contains(src, []byte("+build")) {
		return !strings.HasPrefix(base, ".")
	}
	ctxt := build.Default
	ctxt.CgoEnabled = false
	ctxt.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(src)), nil }
	ok, err := ctxt.MatchFile(filepath.Dir(name), base)
	return err == nil && ok
}

// buildable keeps the files the go command would build for this platform
// (build constraints and file name suffixes), of the package the first
// of them declares.
func buildable(fset *token.FileSet, files []*ast.File, srcs map[*ast.File][]byte) []*ast.File {
	var out []*ast.File
	pkg := ""
	for _, f := range files {
		if !buildableFile(fset.File(f.FileStart).Name(), srcs[f]) {
			continue
		}
		if pkg == "" {
			pkg = f.Name.Name
		}
		if f.Name.Name == pkg {
			out = append(out, f)
		}
	}
	return out
}

// withBodiesOf returns shallow copies of files whose function declarations
// keep their bodies only when keep holds them.
func withBodiesOf(files []*ast.File, keep map[*ast.FuncDecl]bool) []*ast.File {
	out := make([]*ast.File, len(files))
	for i, f := range files {
		cp := *f
		cp.Decls = make([]ast.Decl, len(f.Decls))
		for j, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && !keep[fd] {
				fdc := *fd
				fdc.Body = nil
				d = &fdc
			}
			cp.Decls[j] = d
		}
		out[i] = &cp
	}
	return out
}
