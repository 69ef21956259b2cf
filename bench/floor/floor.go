package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"
)

// A variant is one form of the edited package whose parse and type-check
// are timed: its files (the edited one among them) and the types of what
// it imports, held in memory.
type variant struct {
	Name string
	// Files are the package's files; edited is the index of the edited
	// one, whose text each iteration replaces.
	Files  []string
	Texts  [][]byte
	edited int
	// imports are the imported packages' types, by import path, as
	// go/packages read them from the go command's export data once.
	imports   map[string]*types.Package
	path      string
	goVersion string
	// info asks for the types.Info an analyzer needs (types, definitions,
	// uses, selections, scopes…), not only the errors.
	info bool
}

// loadVariants loads the package holding file (relative to workspace)
// with go/packages, in its plain form and in its test form (with its
// in-package test files): the floor's forms of the package, whose
// dependencies' types it keeps.
func loadVariants(workspace, file string) (plain, test *variant, err error) {
	abs := filepath.Join(workspace, file)
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedDeps | packages.NeedTypes | packages.NeedModule,
		Dir:   workspace,
		Tests: true,
		Env:   append(os.Environ(), "CGO_ENABLED=0"),
	}
	pkgs, err := packages.Load(cfg, "./"+filepath.ToSlash(filepath.Dir(file)))
	if err != nil {
		return nil, nil, fmt.Errorf("loading %s: %w", filepath.Dir(file), err)
	}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, nil, fmt.Errorf("loading %s: %v", p.ID, p.Errors[0])
		}
		if strings.HasSuffix(p.ID, ".test") || strings.HasSuffix(p.Name, "_test") {
			continue // the test's main, the external tests
		}
		v := &variant{path: p.PkgPath, imports: map[string]*types.Package{}, edited: -1}
		if p.Module != nil && p.Module.GoVersion != "" {
			v.goVersion = "go" + p.Module.GoVersion
		}
		for path, imp := range p.Imports {
			if imp.Types == nil {
				return nil, nil, fmt.Errorf("go/packages gave no types of %s", imp.ID)
			}
			v.imports[path] = imp.Types
		}
		for i, name := range p.CompiledGoFiles {
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, nil, err
			}
			v.Files = append(v.Files, name)
			v.Texts = append(v.Texts, data)
			if name == abs {
				v.edited = i
			}
		}
		if v.edited < 0 {
			return nil, nil, fmt.Errorf("%s is not a file of %s", file, p.ID)
		}
		if p.ID == p.PkgPath {
			v.Name = fmt.Sprintf("package (%d files)", len(v.Files))
			plain = v
		} else {
			v.Name = fmt.Sprintf("package with its in-package tests (%d files)", len(v.Files))
			test = v
		}
	}
	if plain == nil {
		return nil, nil, fmt.Errorf("go/packages did not list the package of %s", file)
	}
	return plain, test, nil
}

// withInfo is the variant asking for the types.Info analyzers need.
func (v *variant) withInfo() *variant {
	w := *v
	w.info = true
	w.Name = strings.Replace(v.Name, "package", "package, with types.Info", 1)
	return &w
}

// check parses every file of the variant, the edited one with text, into
// a FileSet of its own (comments kept, as a language server needs them),
// and type-checks them against the imports' types in memory. It returns
// the type errors.
func (v *variant) check(text []byte) ([]string, error) {
	fset := token.NewFileSet()
	files := make([]*ast.File, 0, len(v.Files))
	for i, name := range v.Files {
		src := v.Texts[i]
		if i == v.edited {
			src = text
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var errs []string
	conf := types.Config{
		GoVersion: v.goVersion,
		Sizes:     types.SizesFor("gc", runtime.GOARCH),
		Importer: importer(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			if p := v.imports[path]; p != nil {
				return p, nil
			}
			return nil, fmt.Errorf("%s is not imported", path)
		}),
		Error: func(err error) { errs = append(errs, err.(types.Error).Msg) },
	}
	var info *types.Info
	if v.info {
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
	_, _ = conf.Check(v.path, fset, files, info)
	return errs, nil
}

type importer func(path string) (*types.Package, error)

func (f importer) Import(path string) (*types.Package, error) { return f(path) }

// editBlock is what the language-server benchmark (bench/lsplatency
// -finding type) appends to the file at edit tok: a comment naming the
// edit, and when appear, a type error naming an undefined identifier.
func editBlock(tok string, appear bool) (block, ident string) {
	ident = "undefined" + tok
	block = "\n// bench edit " + tok + "\n"
	if appear {
		block += "var _ = " + ident + "\n"
	}
	return block, ident
}

// measure times iterations parse and type-checks of the variant, each
// after an edit as the language-server benchmark makes it (a fresh
// identifier, a type error appearing and disappearing in turn), and
// checks that each found exactly the error the edit made. With a gap,
// each timed iteration follows a pause of that length, as a server's
// check of an edit follows the editor's pause between edits: a machine
// idle for a while runs the same work slower than one that just ran it
// (caches and predictors refilled, cores woken).
func measure(v *variant, iterations int, gap time.Duration) ([]time.Duration, error) {
	base := v.Texts[v.edited]
	if len(base) > 0 && base[len(base)-1] != '\n' {
		base = append(slices.Clip(base), '\n')
	}
	nonce := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)
	out := make([]time.Duration, 0, iterations)
	for k := 1; k <= iterations; k++ {
		appear := k%2 == 1
		block, ident := editBlock(fmt.Sprintf("%s%d", nonce, k), appear)
		text := append(slices.Clip(base), block...)
		if gap > 0 {
			time.Sleep(gap)
		}
		start := time.Now()
		errs, err := v.check(text)
		d := time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("%s, edit %d: %w", v.Name, k, err)
		}
		want := 0
		if appear {
			want = 1
		}
		if len(errs) != want || appear && !strings.Contains(errs[0], ident) {
			return nil, fmt.Errorf("%s, edit %d: type errors %q, want %d naming %s", v.Name, k, errs, want, ident)
		}
		out = append(out, d)
	}
	return out, nil
}
