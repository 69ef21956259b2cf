package cachetest

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/modls/modls/internal/testbin"
)

// Seeded returns the path of a new cache of the test's own, in
// t.TempDir(), that already holds what checks of the repository's example
// applications recorded: the types of the framework, of its dependencies
// and of the standard library. A check against it type-checks from source
// only the packages the test wrote, as a check does on a developer's
// machine after the first one; a test of what a cold cache does uses Use
// or a path of its own instead. Seeded sets nothing in the environment, so
// parallel tests may use it.
//
// The seed is made once per test process, by the modls command of
// testbin.Modls.
func Seeded(t testing.TB) string {
	t.Helper()
	seedOnce.Do(func() { seedPath, seedErr = makeSeed(t) })
	if seedErr != nil {
		t.Fatalf("cachetest: seeding a cache: %v", seedErr)
	}
	path := filepath.Join(t.TempDir(), "cache.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(seedPath+suffix, path+suffix); err != nil && !(suffix != "" && errors.Is(err, os.ErrNotExist)) {
			t.Fatalf("cachetest: copying the seed cache: %v", err)
		}
	}
	return path
}

// Warm is Seeded with MODLS_CACHE set to the new cache for the test and
// the processes it starts. Like t.Setenv, it cannot be used in parallel
// tests.
func Warm(t testing.TB) string {
	t.Helper()
	path := Seeded(t)
	t.Setenv("MODLS_CACHE", path)
	return path
}

var (
	seedOnce sync.Once
	seedPath string
	seedErr  error
	seedDir  string // removed by Main
)

// RemoveSeed removes the seed this process made for itself, if any, when
// its tests are done (Main does; a package with a TestMain of its own
// calls it).
func RemoveSeed() {
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
}

// makeSeed makes the seed of this test process, or takes the one made
// by another: make test names a directory in $MODLS_TEST_SEED_DIR, where
// the first test process to need a seed makes it (under a lock) and the
// others copy it, so the run pays for one seed, not one per package.
func makeSeed(t testing.TB) (string, error) {
	root, err := testbin.Root()
	if err != nil {
		return "", err
	}
	if shared := os.Getenv("MODLS_TEST_SEED_DIR"); shared != "" {
		return sharedSeed(shared, func(path string) error {
			return Seed(testbin.Modls(t), root, path)
		})
	}
	dir, err := os.MkdirTemp("", "modls-seed-")
	if err != nil {
		return "", err
	}
	seedDir = dir
	bin := testbin.Modls(t)
	path := filepath.Join(dir, "seed.db")
	if err := Seed(bin, root, path); err != nil {
		return "", err
	}
	return path, nil
}

// Seed fills the cache at path with the modls command bin: it checks a
// small workspace, made in a temporary directory, that imports the
// framework of the repository at root, the example application's modules
// and the standard packages modules use, so that the cache holds their
// recorded types and no findings of any package a test checks.
func Seed(bin, root, path string) error {
	ws, err := os.MkdirTemp("", "modls-seed-ws-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ws)
	gomod, err := os.ReadFile(filepath.Join(root, "examples", "violations", "go.mod"))
	if err != nil {
		return err
	}
	gomod = bytes.Replace(gomod, []byte("module example.com/violations"), []byte("module example.com/seed"), 1)
	gomod = bytes.Replace(gomod, []byte("=> ../.."), []byte("=> "+root), 1)
	gosum, err := os.ReadFile(filepath.Join(root, "examples", "violations", "go.sum"))
	if err != nil {
		return err
	}
	dirs := map[string]string{"github.com/modls/modls/framework": filepath.Join(root, "framework")}
	mods, _ := filepath.Glob(filepath.Join(root, "examples", "app", "modules", "*", "*"))
	for _, m := range mods {
		for _, dir := range []string{m, filepath.Join(m, "contract")} {
			rel, _ := filepath.Rel(root, dir)
			dirs["github.com/modls/modls/"+filepath.ToSlash(rel)] = dir
		}
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %v", err)
	}
	for _, p := range seedStd {
		dirs[p] = filepath.Join(strings.TrimSpace(string(goroot)), "src", filepath.FromSlash(p))
	}
	// Only imports the package uses are type-checked (and so recorded):
	// each gets a use of one of its exported names.
	var src bytes.Buffer
	src.WriteString("package seed\n\nimport (\n")
	var uses []string
	paths := make([]string, 0, len(dirs))
	for p := range dirs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for i, p := range paths {
		name, isType := exportedName(dirs[p])
		if name == "" {
			continue
		}
		fmt.Fprintf(&src, "\tp%d %q\n", i, p)
		if isType {
			uses = append(uses, fmt.Sprintf("var _ *p%d.%s", i, name))
		} else {
			uses = append(uses, fmt.Sprintf("var _ = p%d.%s", i, name))
		}
	}
	src.WriteString(")\n\n" + strings.Join(uses, "\n") + "\n")
	for name, data := range map[string][]byte{"go.mod": gomod, "go.sum": gosum, "seed.go": src.Bytes()} {
		if err := os.WriteFile(filepath.Join(ws, name), data, 0o644); err != nil {
			return err
		}
	}
	cmd := exec.Command(bin, "check", "--format", "json", "./...")
	cmd.Dir = ws
	// Every dependency is type-checked from source and recorded: a check
	// that reads the Go build cache's export data records only what its
	// workspace imports directly, and a test checking another workspace
	// would then need the go command for the rest, which a loaded machine
	// may not answer within modls's budget.
	cmd.Env = append(os.Environ(), "MODLS_CACHE="+path, "MODLS_GO_EXPORTS=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return fmt.Errorf("modls check in %s: %v\n%s", ws, err, stderr.Bytes())
	}
	return nil
}

// seedStd are standard packages module code and its tests import beyond
// what the framework does.
var seedStd = []string{
	"bufio", "bytes", "context", "database/sql", "embed", "encoding/hex",
	"encoding/json", "errors", "flag", "fmt", "go/ast", "go/parser",
	"go/token", "io", "io/fs", "log/slog",
	"maps", "math", "net/http", "net/http/httptest", "net/url", "os",
	"os/exec", "os/signal", "path/filepath", "reflect", "regexp", "slices",
	"sort", "strconv", "strings", "sync", "sync/atomic", "testing",
	"text/template", "time", "unicode/utf8",
}

// exportedName returns an exported function, variable, constant or type
// name of the package in dir, from its files without build constraints,
// and whether it names a type; "" if there is none.
func exportedName(dir string) (string, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasSuffix(base, "_test.go") || strings.Count(base, "_") > 0 {
			continue // tests, and names that may carry GOOS or GOARCH
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil || strings.HasSuffix(file.Name.Name, "_test") || hasBuildConstraint(file) {
			continue
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() && d.Type.TypeParams == nil {
					return d.Name.Name, false
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						if spec.Name.IsExported() && spec.TypeParams == nil {
							return spec.Name.Name, true
						}
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							if n.IsExported() {
								return n.Name, false
							}
						}
					}
				}
			}
		}
	}
	return "", false
}

func hasBuildConstraint(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") {
				return true
			}
		}
	}
	return false
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
