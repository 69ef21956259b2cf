package sandbox

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
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

// copyGoMod writes go.mod, with the directories of local replacements made
// absolute, and go.sum.
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
	changed := false
	for _, r := range f.Replace {
		if r.New.Version == "" && !filepath.IsAbs(r.New.Path) && modfile.IsDirectoryPath(r.New.Path) {
			abs := filepath.Join(c.root, filepath.FromSlash(r.New.Path))
			if err := f.AddReplace(r.Old.Path, r.Old.Version, abs, ""); err != nil {
				return err
			}
			changed = true
		}
	}
	if changed {
		if data, err = f.Format(); err != nil {
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
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			continue // the build reports it
		}
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
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
