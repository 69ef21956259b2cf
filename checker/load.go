package checker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	Dir          string
	ImportPath   string
	Name         string
	GoFiles      []string
	TestGoFiles  []string
	XTestGoFiles []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	ImportMap    map[string]string
	Standard     bool
	DepOnly      bool
	ForTest      string
	Module       *struct {
		Path      string
		Dir       string
		GoVersion string
		Main      bool
	}
	Error *struct{ Err string }
}

// goList runs `go list -deps` for the patterns in dir. Packages are
// listed with cgo disabled: the pure-Go variants carry the same API and
// need no C toolchain to type-check.
func goList(ctx context.Context, dir string, patterns []string, tests bool) ([]*listedPackage, error) {
	return goListOverlay(ctx, dir, patterns, tests, nil)
}

// goListOverlay is goList seeing unsaved buffers: the .go files of the
// overlay are handed to the go command (-overlay), so that a file that
// exists only in an editor belongs to its package and the packages it
// imports are listed.
func goListOverlay(ctx context.Context, dir string, patterns []string, tests bool, overlay map[string][]byte) ([]*listedPackage, error) {
	args := []string{"list", "-e", "-deps", "-json=Dir,ImportPath,Name,GoFiles,TestGoFiles,XTestGoFiles,Imports,TestImports,XTestImports,ImportMap,Standard,DepOnly,ForTest,Module,Error"}
	if tests {
		args = append(args, "-test")
	}
	if arg, cleanup, err := overlayArg(overlay); err != nil {
		return nil, err
	} else if arg != "" {
		defer cleanup()
		args = append(args, arg)
	}
	args = append(args, "--")
	args = append(args, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list: %s", oneLine(msg))
	}
	var out, variants []*listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		p := new(listedPackage)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: reading its output: %w", err)
		}
		if p.ForTest != "" || strings.HasSuffix(p.ImportPath, ".test") {
			variants = append(variants, p) // the roots' tests are checked from the plain entries
			continue
		}
		out = append(out, p)
	}
	return mergeTestVariants(out, variants), nil
}

// overlayArg writes the overlay's .go files and the go command's
// -overlay description of them to a temporary directory; "" when there
// is nothing to hand over. cleanup removes the directory.
func overlayArg(overlay map[string][]byte) (arg string, cleanup func(), err error) {
	replace := map[string]string{}
	var names []string
	for name := range overlay {
		if strings.HasSuffix(name, ".go") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", nil, nil
	}
	tmp, err := os.MkdirTemp("", "modls-list-")
	if err != nil {
		return "", nil, fmt.Errorf("go list: the buffers' overlay: %w", err)
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	sort.Strings(names)
	for i, name := range names {
		f := filepath.Join(tmp, fmt.Sprintf("%d.go", i))
		if err := os.WriteFile(f, overlay[name], 0o600); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("go list: the buffers' overlay: %w", err)
		}
		replace[name] = f
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, "overlay.json"), data, 0o600)
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go list: the buffers' overlay: %w", err)
	}
	return "-overlay=" + filepath.Join(tmp, "overlay.json"), cleanup, nil
}

// oneLine joins the first lines of a tool's message: "go: updates to
// go.mod needed; to update it: go mod tidy".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, " ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Package is a type-checked package.
type Package struct {
	Path  string
	Name  string
	Dir   string
	Files []*ast.File
	// FileNames are the absolute names of Files, in order.
	FileNames []string
	Types     *types.Package
	Info      *types.Info
	// Errors are syntax and type errors of a root package.
	Errors []PackageError
	Root   bool
	// Test is set for a root's external test package (package x_test).
	Test bool
	hash string
}

// PackageError is a syntax or type error at a position.
type PackageError struct {
	Pos  token.Position
	Msg  string
	Kind string // "syntax" or "type"
}

// loader type-checks packages from source: the roots in full, their
// dependencies without function bodies. A package imported only for its
// side effects (import _ "modernc.org/sqlite") contributes no types, so it
// is stood in for by an empty package instead of being loaded.
type loader struct {
	fset   *token.FileSet
	listed map[string]*listedPackage
	sizes  types.Sizes

	overlayMu sync.RWMutex
	overlay   map[string][]byte

	mu      sync.Mutex
	loading map[string]*loadResult
	sem     chan struct{}
	// exports, if set, supplies dependencies from the cache's export data
	// and records those checked from source.
	exports *exportData
	// timings, if set, receives the time of type-checks and analyses.
	timings *Timings
	// base, if set, is the loader this one takes every package from,
	// except those in own (testvariant.go).
	base *loader
	own  map[string]bool
	// parseRoot, if set, parses the files of root packages in place of
	// parser.ParseFile (a session keeps the syntax of unchanged files).
	parseRoot func(fset *token.FileSet, name string, src any, mode parser.Mode) (*ast.File, error)
}

type loadResult struct {
	done chan struct{}
	pkg  *Package
	err  error
}

func newLoader(listed []*listedPackage, overlay map[string][]byte) *loader {
	l := &loader{
		fset:    token.NewFileSet(),
		listed:  map[string]*listedPackage{},
		overlay: overlay,
		sizes:   types.SizesFor("gc", runtime.GOARCH),
		loading: map[string]*loadResult{},
		sem:     make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	for _, p := range listed {
		l.listed[p.ImportPath] = p
	}
	return l
}

func (l *loader) readFile(name string) ([]byte, error) {
	l.overlayMu.RLock()
	data, ok := l.overlay[name]
	l.overlayMu.RUnlock()
	if ok {
		return data, nil
	}
	return os.ReadFile(name)
}

// setOverlay records (data non-nil) or forgets an unsaved buffer.
func (l *loader) setOverlay(name string, data []byte) {
	l.overlayMu.Lock()
	defer l.overlayMu.Unlock()
	if l.overlay == nil {
		l.overlay = map[string][]byte{}
	}
	if data == nil {
		delete(l.overlay, name)
	} else {
		l.overlay[name] = data
	}
}

// loaded reports whether the package was loaded as a dependency.
func (l *loader) loaded(path string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.loading[path]
	return ok
}

// invalidate forgets the checked package path and every checked package
// that imports it, directly or not, so that they are checked again from the
// current files.
func (l *loader) invalidate(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	gone := map[string]bool{path: true}
	for changed := true; changed; {
		changed = false
		for p := range l.loading {
			key := strings.TrimSuffix(p, " [root]")
			if gone[key] {
				continue
			}
			if lp := l.listed[key]; lp != nil {
				for _, imp := range lp.Imports {
					if gone[imp] {
						gone[key] = true
						changed = true
						break
					}
				}
			}
		}
	}
	for p := range l.loading {
		if gone[strings.TrimSuffix(p, " [root]")] {
			delete(l.loading, p)
		}
	}
}

// checkFileSet returns a FileSet for one check of a root package whose
// positions lie beyond every position of the loader's own FileSet (the
// dependencies'), so that the check's files are dropped with it instead of
// accumulating in a long-running process.
func (l *loader) checkFileSet() *token.FileSet {
	fset := token.NewFileSet()
	fset.AddFile("", l.fset.Base()+1<<40, 0)
	return fset
}

// load returns the package with the given import path, type-checking it
// (and, first, what it imports) once.
func (l *loader) load(path string) (*Package, error) {
	if l.base != nil && !l.own[path] {
		return l.base.load(path)
	}
	l.mu.Lock()
	r, ok := l.loading[path]
	if !ok {
		r = &loadResult{done: make(chan struct{})}
		l.loading[path] = r
		l.mu.Unlock()
		r.pkg, r.err = l.check(path, false, false, l.fset, nil)
		close(r.done)
	} else {
		l.mu.Unlock()
		<-r.done
	}
	return r.pkg, r.err
}

// check parses and type-checks one package into fset. root packages are
// checked with function bodies and their in-package test files; test
// selects a root's external test package, which imports under (or, if
// under is nil, the memoised root package).
func (l *loader) check(path string, root, test bool, fset *token.FileSet, under *Package) (*Package, error) {
	lp := l.listed[path]
	if lp == nil {
		return nil, fmt.Errorf("package %s is not in the build", path)
	}
	if lp.Error != nil && len(lp.GoFiles)+len(lp.TestGoFiles)+len(lp.XTestGoFiles) == 0 {
		return nil, fmt.Errorf("%s", strings.TrimSpace(lp.Error.Err))
	}
	if !root && l.exports != nil {
		if tp := l.exports.load(l, path); tp != nil {
			return &Package{Path: path, Name: tp.Name(), Dir: lp.Dir, Types: tp}, nil
		}
	}
	var names []string
	switch {
	case test:
		names = lp.XTestGoFiles
	case root:
		names = append(append([]string(nil), lp.GoFiles...), lp.TestGoFiles...)
	default:
		names = lp.GoFiles
	}
	pkg := &Package{Path: path, Name: lp.Name, Dir: lp.Dir, Root: root, Test: test}
	mode := parser.SkipObjectResolution
	if root {
		mode |= parser.ParseComments
	}
	for _, n := range names {
		full := filepath.Join(lp.Dir, n)
		src, err := l.readFile(full)
		if err != nil {
			return nil, err
		}
		parse := parser.ParseFile
		if root && l.parseRoot != nil {
			parse = l.parseRoot
		}
		f, err := parse(fset, full, src, mode)
		if err != nil {
			var list scannerErrors
			if errors.As(err, &list.ErrorList) && len(list.ErrorList) > 0 {
				e := list.ErrorList[0] // one parse error per file: the rest follow from it
				pkg.Errors = append(pkg.Errors, PackageError{Pos: e.Pos, Msg: e.Msg, Kind: "syntax"})
			} else {
				pkg.Errors = append(pkg.Errors, PackageError{Pos: token.Position{Filename: full}, Msg: err.Error(), Kind: "syntax"})
			}
		}
		if f != nil {
			pkg.Files = append(pkg.Files, f)
			pkg.FileNames = append(pkg.FileNames, full)
		}
	}
	// Load what the files import (not blank imports), in parallel.
	importMap := lp.ImportMap
	deps := map[string]*Package{}
	var needed []string
	for _, f := range pkg.Files {
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil || p == "C" || p == "unsafe" {
				continue
			}
			if spec.Name != nil && spec.Name.Name == "_" {
				continue
			}
			if test && p == path {
				continue // the package under test: filled in below
			}
			if m, ok := importMap[p]; ok {
				p = m
			}
			if _, ok := deps[p]; !ok {
				deps[p] = nil
				needed = append(needed, p)
			}
		}
	}
	sort.Strings(needed)
	var wg sync.WaitGroup
	var depErr error
	var depMu sync.Mutex
	for _, p := range needed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := l.load(p)
			depMu.Lock()
			defer depMu.Unlock()
			if err != nil {
				if root {
					pkg.Errors = append(pkg.Errors, PackageError{Pos: importPos(fset, pkg.Files, p), Msg: fmt.Sprintf("could not import %s: %v", p, err), Kind: "type"})
				} else if depErr == nil {
					depErr = err
				}
				return
			}
			deps[p] = d
		}()
	}
	wg.Wait()
	if depErr != nil {
		return nil, fmt.Errorf("%s: %w", path, depErr)
	}
	if test {
		if under == nil {
			var err error
			if under, err = l.rootPackage(path); err != nil {
				return nil, err
			}
		}
		deps[path] = under
	}
	l.sem <- struct{}{}
	defer func() { <-l.sem }()
	info := &types.Info{}
	if root {
		info = &types.Info{
			Types:        map[ast.Expr]types.TypeAndValue{},
			Defs:         map[*ast.Ident]types.Object{},
			Uses:         map[*ast.Ident]types.Object{},
			Implicits:    map[ast.Node]types.Object{},
			Instances:    map[*ast.Ident]types.Instance{},
			Selections:   map[*ast.SelectorExpr]*types.Selection{},
			Scopes:       map[ast.Node]*types.Scope{},
			FileVersions: map[*ast.File]string{},
		}
	}
	conf := types.Config{
		IgnoreFuncBodies: !root,
		Sizes:            l.sizes,
		Importer: importerFunc(func(p string) (*types.Package, error) {
			if p == "unsafe" {
				return types.Unsafe, nil
			}
			if m, ok := importMap[p]; ok {
				p = m
			}
			if d := deps[p]; d != nil && d.Types != nil {
				return d.Types, nil
			}
			// A blank import, or one that failed (already reported).
			fake := types.NewPackage(p, filepath.Base(p))
			fake.MarkComplete()
			return fake, nil
		}),
		Error: func(err error) {
			if !root {
				return
			}
			if te, ok := err.(types.Error); ok {
				pkg.Errors = append(pkg.Errors, PackageError{Pos: fset.Position(te.Pos), Msg: te.Msg, Kind: "type"})
			}
		},
	}
	if lp.Module != nil && lp.Module.GoVersion != "" {
		conf.GoVersion = "go" + lp.Module.GoVersion
	}
	checkPath := path
	if test {
		checkPath = path + "_test"
	}
	tp, _ := conf.Check(checkPath, fset, pkg.Files, info)
	pkg.Types, pkg.Info = tp, info
	if !root {
		if l.exports != nil {
			l.exports.checked(path, tp, needed)
		}
		// A dependency is needed for its types only: let its syntax go.
		pkg.Files, pkg.FileNames, pkg.Info = nil, nil, nil
	}
	return pkg, nil
}

// rootPackage returns the root package (with its in-package tests) that an
// external test package imports.
func (l *loader) rootPackage(path string) (*Package, error) {
	key := path + " [root]"
	l.mu.Lock()
	r, ok := l.loading[key]
	if !ok {
		r = &loadResult{done: make(chan struct{})}
		l.loading[key] = r
		l.mu.Unlock()
		r.pkg, r.err = l.check(path, true, false, l.fset, nil)
		close(r.done)
	} else {
		l.mu.Unlock()
		<-r.done
	}
	return r.pkg, r.err
}

func importPos(fset *token.FileSet, files []*ast.File, path string) token.Position {
	for _, f := range files {
		for _, spec := range f.Imports {
			if p, _ := strconv.Unquote(spec.Path.Value); p == path {
				return fset.Position(spec.Pos())
			}
		}
	}
	if len(files) > 0 {
		return fset.Position(files[0].Package)
	}
	return token.Position{}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
