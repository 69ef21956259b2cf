package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/modls/modls/workspace"
)

// copier builds the copy: go.mod and go.sum, the directories of the modules
// in the set (every file, sub-packages and testdata included), and every
// other package of the Go module that they import, directly or not (the
// framework, when it lives in the same Go module), without its tests.
// Files come from the overlay where it has them. Paths mirror the real
// layout, so import paths stay the same.
type copier struct {
	root, dst  string
	modulePath string
	overlay    map[string][]byte
	copied     map[string]bool // package directories done
	files      int
	// cgo are the files that import "C"; outside are the replace
	// directives of go.mod whose directory is outside the Go module.
	cgo     []pos
	outside []replaceUse
}

// replaceUse is a replace directive of go.mod.
type replaceUse struct {
	line     int
	old, new string
}

func (c *copier) read(name string) ([]byte, error) {
	if data, ok := c.overlay[name]; ok {
		return data, nil
	}
	return os.ReadFile(name)
}

func (c *copier) target(name string) (string, error) {
	rel, err := filepath.Rel(c.root, name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the Go module %s", name, c.root)
	}
	return filepath.Join(c.dst, rel), nil
}

func (c *copier) copyFile(name string) error {
	data, err := c.read(name)
	if err != nil {
		return err
	}
	dst, err := c.target(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	c.files++
	return os.WriteFile(dst, data, 0o644)
}

// copyGoMod writes go.mod and go.sum. A replace directive naming a
// directory inside the Go module has that directory copied too, so that
// the copy builds it from the copy; one naming a directory outside is
// recorded: module code would be compiled from outside the copy, and the
// build is refused (refusal).
func (c *copier) copyGoMod() error {
	name := filepath.Join(c.root, "go.mod")
	data, err := c.read(name)
	if err != nil {
		return err
	}
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		return err
	}
	for _, r := range f.Replace {
		if r.New.Version != "" || !modfile.IsDirectoryPath(r.New.Path) {
			continue
		}
		dir := filepath.FromSlash(r.New.Path)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(c.root, dir)
		}
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
		rel, err := filepath.Rel(c.root, dir)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(r.New.Path) {
			c.outside = append(c.outside, replaceUse{line: r.Syntax.Start.Line, old: r.Old.Path, new: r.New.Path})
			continue
		}
		if err := c.copyTree(dir); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(c.dst, "go.mod"), data, 0o644); err != nil {
		return err
	}
	c.files++
	sum := filepath.Join(c.root, "go.sum")
	if _, err := os.Stat(sum); err == nil || c.overlay[sum] != nil {
		return c.copyFile(sum)
	}
	return nil
}

// copyTree copies a directory inside the Go module whole: a nested Go
// module that go.mod replaces a dependency with.
func (c *copier) copyTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return c.copyFile(path)
	})
}

// refusal is the failed "module builds" check for what the copy must not
// be built with, or nil: a replace directive naming a directory outside
// the Go module (its code would be compiled, and its package
// initialisation run, from outside the copy), and a file of module code
// that imports "C" (the sandbox builds with CGO_ENABLED=0, which would
// leave the file out without a word).
func (c *copier) refusal() *Check {
	if len(c.outside) > 0 {
		r := c.outside[0]
		return &Check{Name: CheckBuilds, Status: StatusFail, File: filepath.Join(c.root, "go.mod"), Line: r.line,
			Message: fmt.Sprintf("replace %s => %s names a directory outside the Go module %s: the sandbox builds only its copy of the Go module, and would compile that code from outside it; move the directory into the Go module, or require a published version", r.old, r.new, c.root)}
	}
	if len(c.cgo) > 0 {
		p := c.cgo[0]
		msg := `imports "C": cgo is not available in the sandbox, which builds module code with CGO_ENABLED=0 and would leave this file out; write it in Go`
		if len(c.cgo) > 1 {
			msg += fmt.Sprintf(" (and %d more files)", len(c.cgo)-1)
		}
		return &Check{Name: CheckBuilds, Status: StatusFail, File: p.File, Line: p.Line, Message: msg}
	}
	return nil
}

// copyModule copies a module's directory tree and the packages it imports.
func (c *copier) copyModule(m *workspace.Module) error {
	var goFiles []string
	err := filepath.WalkDir(m.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != m.Dir && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "vendor" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != m.Dir {
				return filepath.SkipDir
			}
			c.copied[path] = true
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			goFiles = append(goFiles, path)
		}
		return c.copyFile(path)
	})
	if err != nil {
		return fmt.Errorf("copying %s: %w", m.Dir, err)
	}
	// Files that exist only in the overlay.
	var extra []string
	for name := range c.overlay {
		if strings.HasPrefix(name, m.Dir+string(filepath.Separator)) {
			if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
				extra = append(extra, name)
			}
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		if err := c.copyFile(name); err != nil {
			return err
		}
		if strings.HasSuffix(name, ".go") {
			goFiles = append(goFiles, name)
		}
	}
	return c.copyImports(goFiles)
}

// copyImports copies the packages of the Go module that files import, and
// theirs in turn.
func (c *copier) copyImports(files []string) error {
	fset := token.NewFileSet()
	for _, name := range files {
		src, err := c.read(name)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			continue // the build reports it
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			if path == "C" && c.builtWithCgo(name, src) {
				c.cgo = append(c.cgo, pos{File: name, Line: fset.Position(imp.Pos()).Line})
			}
			rest, ok := strings.CutPrefix(path, c.modulePath+"/")
			if !ok {
				continue
			}
			if err := c.copyPackage(filepath.Join(c.root, filepath.FromSlash(rest))); err != nil {
				return err
			}
		}
	}
	return nil
}

// builtWithCgo tells whether a file would be part of the build were cgo
// enabled: its name and build constraints allow it on this system.
func (c *copier) builtWithCgo(name string, src []byte) bool {
	ctx := build.Default
	ctx.CgoEnabled = true
	ctx.BuildTags = append(ctx.BuildTags, IntegrationTag)
	ctx.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(src)), nil }
	ok, err := ctx.MatchFile(filepath.Dir(name), filepath.Base(name))
	return err == nil && ok
}

// copyPackage copies one package directory (not its subdirectories, not its
// tests) with the files it embeds, then what it imports.
func (c *copier) copyPackage(dir string) error {
	if c.copied[dir] {
		return nil
	}
	c.copied[dir] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // the build names the missing package
	}
	var goFiles []string
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		if strings.HasSuffix(e.Name(), ".go") {
			goFiles = append(goFiles, name)
		}
		if err := c.copyFile(name); err != nil {
			return err
		}
	}
	if err := c.copyEmbeds(dir, goFiles); err != nil {
		return err
	}
	return c.copyImports(goFiles)
}

// copyEmbeds copies the directories a package's //go:embed patterns name
// (its files are already copied).
func (c *copier) copyEmbeds(dir string, goFiles []string) error {
	for _, name := range goFiles {
		src, err := c.read(name)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(src), "\n") {
			rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//go:embed ")
			if !ok {
				continue
			}
			for _, pat := range strings.Fields(rest) {
				pat = strings.TrimPrefix(strings.Trim(pat, "\"`"), "all:")
				matches, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pat)))
				for _, m := range matches {
					st, err := os.Stat(m)
					if err != nil || !st.IsDir() {
						continue
					}
					err = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
						if err != nil || d.IsDir() || !d.Type().IsRegular() {
							return err
						}
						return c.copyFile(path)
					})
					if err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
