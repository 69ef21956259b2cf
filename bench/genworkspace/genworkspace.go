// Package genworkspace generates synthetic framework workspaces for
// benchmarks: a Go module with N modules written by the scaffold (so each
// is realistic, compliant code), wired to each other through contracts and
// service lookups, and a deliberate violation set in every tenth module.
package genworkspace

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/modls/modls/scaffold"
)

// ModulePath is the Go module path of generated workspaces.
const ModulePath = "example.com/bench"

// Options tune a generated workspace.
type Options struct {
	// Framework is the directory of the repository providing
	// github.com/modls/modls (its go.mod and go.sum are used).
	Framework string
}

// Name is the name of the i-th module (0-based): m000, m001, …
func Name(i int) string { return fmt.Sprintf("m%03d", i) }

// Violating reports whether module i carries the deliberate violations.
func Violating(i int) bool { return i%10 == 3 }

// ExpectedFindings is, per violating module, the rules modls reports:
// Recount has no ServiceMethod entry (MOD002) and no test (MOD011), and its
// query names a table that does not exist (MOD006).
var ExpectedFindings = []string{"MOD002", "MOD006", "MOD011"}

// deps are the modules module i depends on: the one before it and the one
// at half its index, a tree that makes every module reachable.
func deps(i int) []int {
	var out []int
	if i > 0 {
		out = append(out, i-1)
	}
	if h := i / 2; i > 1 && h != i-1 {
		out = append(out, h)
	}
	return out
}

// Generate writes a workspace of n modules into dir (which must be empty
// or absent).
func Generate(dir string, n int, opts Options) error {
	if n < 1 {
		return fmt.Errorf("genworkspace: want at least one module, got %d", n)
	}
	fwRoot, err := filepath.Abs(opts.Framework)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	gomod, gosum, err := goModFiles(fwRoot)
	if err != nil {
		return err
	}
	files["go.mod"], files["go.sum"] = gomod, gosum
	var mainImports, mainList []string
	for i := 0; i < n; i++ {
		name := Name(i)
		o := scaffold.Options{Name: name, Type: "standard", Features: []string{"api", "database", "settings"}}
		importPath := ModulePath + "/modules/standard/" + name
		generated, err := scaffold.Generate(o, importPath)
		if err != nil {
			return fmt.Errorf("genworkspace: module %s: %w", name, err)
		}
		for _, f := range generated {
			files[filepath.Join(o.Dir(), f.Path)] = f.Data
		}
		if err := wire(files, o.Dir(), i); err != nil {
			return err
		}
		if Violating(i) {
			files[filepath.Join(o.Dir(), "recount.go")] = []byte(recount(name))
		}
		mainImports = append(mainImports, fmt.Sprintf("\t%q", importPath))
		mainList = append(mainList, fmt.Sprintf("\t\t%s.New(),", name))
	}
	files["main.go"] = []byte(fmt.Sprintf(mainTemplate, strings.Join(mainImports, "\n"), strings.Join(mainList, "\n")))
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// goModFiles makes a go.mod requiring the framework from fwRoot (with the
// framework's own requirements, so no tidy is needed) and its go.sum.
func goModFiles(fwRoot string) ([]byte, []byte, error) {
	data, err := os.ReadFile(filepath.Join(fwRoot, "go.mod"))
	if err != nil {
		return nil, nil, fmt.Errorf("genworkspace: %w", err)
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire github.com/modls/modls v0.0.0\n\nrequire (\n", ModulePath, mf.Go.Version)
	for _, r := range mf.Require {
		fmt.Fprintf(&b, "\t%s %s // indirect\n", r.Mod.Path, r.Mod.Version)
	}
	fmt.Fprintf(&b, ")\n\nreplace github.com/modls/modls => %s\n", fwRoot)
	sum, err := os.ReadFile(filepath.Join(fwRoot, "go.sum"))
	if err != nil {
		return nil, nil, fmt.Errorf("genworkspace: %w", err)
	}
	return []byte(b.String()), sum, nil
}

// wire makes module i depend on its deps: the manifest lists them, a
// links.go looks their services up in Start through their contracts.
func wire(files map[string][]byte, dir string, i int) error {
	ds := deps(i)
	if len(ds) == 0 {
		return nil
	}
	manPath := filepath.Join(dir, "manifest.json")
	var man map[string]any
	if err := json.Unmarshal(files[manPath], &man); err != nil {
		return err
	}
	var depNames []string
	for _, d := range ds {
		depNames = append(depNames, "standard."+Name(d))
	}
	man["dependencies"] = depNames
	data, err := json.MarshalIndent(orderedManifest(man), "", "  ")
	if err != nil {
		return err
	}
	files[manPath] = append(data, '\n')

	modPath := filepath.Join(dir, "module.go")
	src := string(files[modPath])
	const start = "\tm.svc.db = app.DB()\n\treturn nil\n}"
	if !strings.Contains(src, start) {
		return fmt.Errorf("genworkspace: the scaffold's Start changed; update wire")
	}
	files[modPath] = []byte(strings.Replace(src, start, "\tm.svc.db = app.DB()\n\treturn linkPeers(app)\n}", 1))

	var imports, fields, lookups []string
	for _, d := range ds {
		dn := Name(d)
		imports = append(imports, fmt.Sprintf("\t%scontract %q", dn, ModulePath+"/modules/standard/"+dn+"/contract"))
		fields = append(fields, fmt.Sprintf("\t%s %scontract.Service", dn, dn))
		lookups = append(lookups, fmt.Sprintf(`	%s, err := framework.Service[%scontract.Service](app, %q)
	if err != nil {
		return err
	}
	peers.%s = %s`, dn, dn, dn+".service", dn, dn))
	}
	files[filepath.Join(dir, "links.go")] = []byte(fmt.Sprintf(linksTemplate, Name(i), strings.Join(imports, "\n"), strings.Join(fields, "\n"), strings.Join(lookups, "\n")))
	return nil
}

// orderedManifest keeps the manifest's keys in the conventional order.
func orderedManifest(m map[string]any) any {
	type manifest struct {
		Name         any `json:"name"`
		Version      any `json:"version"`
		Description  any `json:"description"`
		Features     any `json:"features"`
		Dependencies any `json:"dependencies"`
		Services     any `json:"services"`
	}
	return manifest{m["name"], m["version"], m["description"], m["features"], m["dependencies"], m["services"]}
}

const linksTemplate = `package %s

import (
%s
	"github.com/modls/modls/framework"
)

// peers are the services of the modules this one depends on, looked up in
// Start.
var peers struct {
%s
}

// linkPeers looks up the services of the modules this one depends on.
func linkPeers(app *framework.App) error {
%s
	return nil
}
`

func recount(name string) string {
	return fmt.Sprintf(`package %s

import (
	"context"

	"github.com/modls/modls/framework"
)

// Recount counts the module's items again. It is registered without a
// ServiceMethod entry, no test calls it, and its query names a table that
// does not exist: the violations the benchmark expects.
func (s *Service) Recount(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRow(ctx, "SELECT count(*) FROM %s_itemz").Scan(&n); err != nil {
		return 0, framework.Errorf(framework.CodeInternal, "recount: %%v", err)
	}
	return n, nil
}
`, name, name)
}

const mainTemplate = `// Command bench is a generated application of the framework.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/modls/modls/framework"
%s
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	modules := []framework.Module{
%s
	}
	if err := framework.Run(ctx, framework.Config{}, modules...); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
`
