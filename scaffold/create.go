package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// Result is what Create wrote.
type Result struct {
	// Dir is the module directory, absolute.
	Dir string
	// Files are the files written, slash-separated and relative to Dir.
	Files []string
	// ImportPath is the Go import path of the module's package.
	ImportPath string
	// Package is the module's Go package name.
	Package string
}

// MainEntry is the line to add to the module list in the application's
// main, with the import it needs as a comment:
//
//	reports.New(), // import "example.com/app/modules/standard/reports"
func (r *Result) MainEntry() string {
	return fmt.Sprintf("%s.New(), // import %q", r.Package, r.ImportPath)
}

// ErrExists is returned (wrapped) by Create when the module directory is
// already there.
var ErrExists = errors.New("already exists")

// beforeRename, if set, runs after the files are written and before the
// temporary directory is renamed into place. Tests use it to make the last
// step fail.
var beforeRename func(tmp, target string)

// Create writes the module into appDir/modules/<type>/<name>. appDir is
// the application's directory (the one holding modules/); it must lie in a
// Go module, whose path gives the new package's import path. Nothing is
// written unless everything is: a failure removes whatever Create made.
func Create(appDir string, o Options) (res *Result, err error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	app, err := filepath.Abs(appDir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(app); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("application directory %s does not exist", appDir)
		}
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("application directory %s is not a directory", appDir)
	}
	target := filepath.Join(app, filepath.FromSlash(o.Dir()))
	if _, err := os.Lstat(target); err == nil {
		return nil, fmt.Errorf("%s %w", filepath.Join(appDir, filepath.FromSlash(o.Dir())), ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	appPath, err := ImportPath(app)
	if err != nil {
		return nil, err
	}
	importPath := path.Join(appPath, o.Dir())
	files, err := Generate(o, importPath)
	if err != nil {
		return nil, err
	}

	// Parent directories made here are removed again on failure.
	parent := filepath.Dir(target)
	made, err := mkdirAll(parent)
	if err != nil {
		return nil, err
	}
	var tmp string
	defer func() {
		if err == nil {
			return
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only if still empty
		}
	}()
	tmp, err = os.MkdirTemp(parent, "."+o.Name+".scaffold-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	res = &Result{Dir: target, ImportPath: importPath, Package: o.Name}
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, f.Path)
	}
	if beforeRename != nil {
		beforeRename(tmp, target)
	}
	// Rename would replace an empty directory made meanwhile: look again.
	if _, err := os.Lstat(target); err == nil {
		return nil, fmt.Errorf("%s %w", filepath.Join(appDir, filepath.FromSlash(o.Dir())), ErrExists)
	}
	if err := os.Rename(tmp, target); err != nil {
		return nil, fmt.Errorf("moving the module into place: %w", err)
	}
	return res, nil
}

// mkdirAll is os.MkdirAll that returns the directories it made, outermost
// first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil {
			for j := len(made) - 1; j >= 0; j-- {
				os.Remove(made[j])
			}
			return nil, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// ImportPath returns the Go import path a package in dir would have: the
// path of the nearest go.mod at or above dir, joined with dir's path
// relative to it. dir need not exist yet.
func ImportPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := modfile.ModulePath(data)
			if mod == "" {
				return "", fmt.Errorf("%s has no module directive", filepath.Join(d, "go.mod"))
			}
			rel, err := filepath.Rel(d, abs)
			if err != nil {
				return "", err
			}
			if rel == "." {
				return mod, nil
			}
			return path.Join(mod, filepath.ToSlash(rel)), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or any directory above it; the application must be inside a Go module", abs)
		}
	}
}
