package checker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modls/modls/bench/genworkspace"
)

// jsonPackage is what `go list -json` says of a package.
type jsonPackage struct {
	listedPackage
	ForTest string
}

// TestListingMatchesGoList lists workspaces through go/packages and with
// go list -json read directly, and compares every field the checker
// reads: the example application, the violations workspace (vendored-free
// replace, test-only packages, external tests), a generated workspace, and
// one with an unsaved buffer that adds a file and an import.
func TestListingMatchesGoList(t *testing.T) {
	root := repoRoot(t)
	gen := filepath.Join(t.TempDir(), "gen")
	if err := genworkspace.Generate(gen, 10, genworkspace.Options{Framework: root}); err != nil {
		t.Fatal(err)
	}
	overlayDir := writeWorkspace(t, shop)
	buffer := filepath.Join(overlayDir, "modules", "standard", "shop", "unsaved.go")
	for _, tc := range []struct {
		name, dir string
		overlay   map[string][]byte
	}{
		{"examples/app", filepath.Join(root, "examples", "app"), nil},
		{"examples/violations", filepath.Join(root, "examples", "violations"), nil},
		{"generated", gen, nil},
		{"unsaved buffer", overlayDir, map[string][]byte{buffer: []byte("package shop\n\nimport \"encoding/csv\"\n\nvar W = csv.NewWriter\n")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := goListOverlay(context.Background(), tc.dir, []string{"./..."}, true, tc.overlay)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := goListJSON(context.Background(), tc.dir, []string{"./..."}, true, tc.overlay)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, p := range raw {
				want[p.ImportPath] = describePackage(&p.listedPackage)
			}
			have := map[string]string{}
			for _, p := range got {
				have[p.ImportPath] = describePackage(p)
			}
			for path, w := range want {
				if h, ok := have[path]; !ok {
					t.Errorf("%s: not listed; go list says\n%s", path, w)
				} else if h != w {
					t.Errorf("%s:\n got %s\nwant %s", path, h, w)
				}
			}
			for path := range have {
				if _, ok := want[path]; !ok {
					t.Errorf("%s: listed, but not by go list", path)
				}
			}
			if tc.overlay != nil && !strings.Contains(have["example.com/shop/modules/standard/shop"], "unsaved.go") {
				t.Errorf("the unsaved buffer is not among the package's files")
			}
		})
	}
}

// describePackage is what the checker reads of a listed package, with
// the imports of a package and its in-package tests as one set (as every
// reader takes them) and the import map resolved.
func describePackage(p *listedPackage) string {
	resolve := func(lists ...[]string) []string {
		seen := map[string]bool{}
		var out []string
		for _, l := range lists {
			for _, imp := range l {
				if m, ok := p.ImportMap[imp]; ok {
					imp = m
				}
				if !seen[imp] {
					seen[imp] = true
					out = append(out, imp)
				}
			}
		}
		sort.Strings(out)
		return out
	}
	sorted := func(l []string) []string {
		l = append([]string(nil), l...)
		sort.Strings(l)
		return l
	}
	mod := "none"
	if p.Module != nil {
		mod = fmt.Sprintf("%s %s go%s main=%v", p.Module.Path, p.Module.Dir, p.Module.GoVersion, p.Module.Main)
	}
	tests, xtests, testImports, xtest := p.TestGoFiles, p.XTestGoFiles, p.TestImports, resolve(p.XTestImports)
	if len(p.XTestGoFiles) == 0 {
		xtest = nil
	}
	if p.DepOnly {
		// Only the roots' tests are checked: go list names the tests of
		// every package, go/packages those of the roots.
		tests, xtests, testImports, xtest = nil, nil, nil, nil
	}
	return fmt.Sprintf("dir=%s name=%s files=%v tests=%v xtests=%v imports=%v xtestimports=%v std=%v deponly=%v module=%s error=%v",
		p.Dir, p.Name, sorted(p.GoFiles), sorted(tests), sorted(xtests), resolve(p.Imports, testImports), xtest,
		p.Standard, p.DepOnly, mod, p.Error != nil)
}

// goListJSON runs `go list -e -deps -json` itself and reads its output,
// with the buffers of overlay handed to it (-overlay): the oracle the
// listing through go/packages is compared with.
func goListJSON(ctx context.Context, dir string, patterns []string, tests bool, overlay map[string][]byte) ([]*jsonPackage, error) {
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
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list: %s", oneLine(msg))
	}
	var out []*jsonPackage
	dec := json.NewDecoder(&stdout)
	for {
		p := new(jsonPackage)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: reading its output: %w", err)
		}
		if p.ForTest != "" || strings.HasSuffix(p.ImportPath, ".test") {
			continue // test variants: the roots' tests are checked from the plain entries
		}
		out = append(out, p)
	}
	return out, nil
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
