package scaffold

import (
	"bytes"
	"errors"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/modls/modls/framework"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name, want string // want is a part of the error, "" for none
	}{
		{"reports", ""},
		{"sales_reports2", ""},
		{"contract", ""},
		{"", "is not valid"},
		{"Reports", "is not valid"},
		{"2fa", "is not valid"},
		{"sales-reports", "is not valid"},
		{"_x", "is not valid"},
		{"func", "is a Go keyword"},
		{"type", "is a Go keyword"},
		{"string", "predeclared"},
		{"nil", "predeclared"},
		{"main", "program"},
		{"init", "cannot be used"},
		{"framework", "clash"},
		{"reports_test", "_test"},
	} {
		err := CheckName(tc.name)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckName(%q) = %v; want nil", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckName(%q) = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckType(t *testing.T) {
	for _, tc := range []struct{ typ, want string }{
		{"standard", ""},
		{"util_2", ""},
		{"string", ""}, // only a directory and the first half of the module name
		{"core", "reserved"},
		{"Standard", "is not valid"},
		{"", "is not valid"},
		{"go", "is a Go keyword"},
	} {
		err := CheckType(tc.typ)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckType(%q) = %v; want nil", tc.typ, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckType(%q) = %v; want an error containing %q", tc.typ, err, tc.want)
		}
	}
}

func TestParseFeatures(t *testing.T) {
	for _, tc := range []struct {
		list    string
		want    []string
		wantErr string
	}{
		{"", []string{}, ""},
		{"  ", []string{}, ""},
		{"api", []string{"api"}, ""},
		{"settings, api", []string{"settings", "api"}, ""},
		{DefaultFeatures, []string{"api", "database", "settings"}, ""},
		{"api,web", nil, `unknown feature "web"`},
		{"api,api", nil, `feature "api" is listed twice`},
		{"api,", nil, "empty entry"},
		{"API", nil, `unknown feature "API"`},
	} {
		got, err := ParseFeatures(tc.list)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseFeatures(%q) = %v, %v; want an error containing %q", tc.list, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseFeatures(%q) = %q, %v; want %q", tc.list, got, err, tc.want)
		}
	}
}

// subsets returns every subset of Features, in canonical order.
func subsets() [][]string {
	var out [][]string
	for mask := 0; mask < 1<<len(Features); mask++ {
		s := []string{}
		for i, f := range Features {
			if mask&(1<<i) != 0 {
				s = append(s, f)
			}
		}
		out = append(out, s)
	}
	return out
}

func TestGenerate(t *testing.T) {
	for _, features := range subsets() {
		t.Run(strings.Join(append([]string{"f"}, features...), "_"), func(t *testing.T) {
			o := Options{Name: "reports", Type: "standard", Features: features}
			files, err := Generate(o, "example.com/app/modules/standard/reports")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"manifest.json", "module.go", "service.go"}
			if slices.Contains(features, "api") {
				want = append(want, "api.go")
			}
			if slices.Contains(features, "settings") {
				want = append(want, "settings.go")
			}
			want = append(want, "contract/contract.go", "reports_test.go", "reports_integration_test.go")
			var got []string
			for _, f := range files {
				got = append(got, f.Path)
				text := string(f.Data)
				for _, bad := range []string{"{{", "<no value>", "\n\n\n"} {
					if strings.Contains(text, bad) {
						t.Errorf("%s contains %q:\n%s", f.Path, bad, text)
					}
				}
				if !strings.HasSuffix(f.Path, ".go") {
					continue
				}
				formatted, err := format.Source(f.Data)
				if err != nil {
					t.Errorf("%s: %v", f.Path, err)
				} else if !bytes.Equal(formatted, f.Data) {
					t.Errorf("%s is not gofmt-ed", f.Path)
				}
				pf, err := parser.ParseFile(token.NewFileSet(), f.Path, f.Data, parser.ParseComments)
				if err != nil {
					t.Fatalf("%s: %v", f.Path, err)
				}
				checkImportGroups(t, f.Path, pf)
				wantPkg := "reports"
				if strings.HasPrefix(f.Path, "contract/") {
					wantPkg = "contract"
				}
				if pf.Name.Name != wantPkg {
					t.Errorf("%s: package %s; want %s", f.Path, pf.Name.Name, wantPkg)
				}
				for _, line := range strings.Split(text, "\n") {
					if c := strings.TrimSpace(line); strings.HasPrefix(c, "// ") && len(line) > 80 {
						t.Errorf("%s: comment line longer than 80 columns: %q", f.Path, line)
					}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("files = %q; want %q", got, want)
			}

			m, err := framework.ParseManifest(files[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			wantManifest := framework.Manifest{
				Name:         "standard.reports",
				Version:      "0.1.0",
				Description:  m.Description,
				Features:     features,
				Dependencies: []string{},
				Services:     []string{"reports.service"},
			}
			if !reflect.DeepEqual(m, wantManifest) {
				t.Errorf("manifest = %+v; want %+v", m, wantManifest)
			}
			if m.Description == "" {
				t.Error("manifest has no description")
			}
		})
	}
}

// checkImportGroups fails the test if a standard library import and
// another are in the same group, as goimports would not leave them.
func checkImportGroups(t *testing.T, name string, f *ast.File) {
	t.Helper()
	std := func(s *ast.ImportSpec) bool {
		first, _, _ := strings.Cut(strings.Trim(s.Path.Value, `"`), "/")
		return !strings.Contains(first, ".")
	}
	for i := 1; i < len(f.Imports); i++ {
		a, b := f.Imports[i-1], f.Imports[i]
		adjacent := b.Pos()-a.End() <= 2 // only a newline and a tab between
		if adjacent && std(a) != std(b) {
			t.Errorf("%s: imports %s and %s are in one group", name, a.Path.Value, b.Path.Value)
		}
	}
}

func TestGenerateListsFeaturesInCanonicalOrder(t *testing.T) {
	files, err := Generate(Options{Name: "x", Type: "standard", Features: []string{"settings", "api"}}, "example.com/x")
	if err != nil {
		t.Fatal(err)
	}
	m, err := framework.ParseManifest(files[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"api", "settings"}; !reflect.DeepEqual(m.Features, want) {
		t.Errorf("features = %q; want %q", m.Features, want)
	}
}

func TestGenerateRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Name: "Bad", Type: "standard"},
		{Name: "reports", Type: "core"},
		{Name: "reports", Type: "standard", Features: []string{"api", "api"}},
		{Name: "reports", Type: "standard", Features: []string{"web"}},
	} {
		if _, err := Generate(o, "example.com/x"); err == nil {
			t.Errorf("Generate(%+v) succeeded; want an error", o)
		}
	}
	if _, err := Generate(Options{Name: "reports", Type: "standard"}, ""); err == nil {
		t.Error("Generate with an empty import path succeeded; want an error")
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{"reports": "Reports", "sales_reports": "Sales reports", "a2": "A2"} {
		if got := title(in); got != want {
			t.Errorf("title(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestWrapComment(t *testing.T) {
	got := wrapComment(strings.Repeat("word ", 30))
	for _, line := range strings.Split(got, "\n") {
		if len(line) > 76 || !strings.HasPrefix(line, "// word") {
			t.Errorf("line %q: want a // comment of at most 76 columns", line)
		}
	}
	if got := wrapComment(strings.Repeat("x", 100)); got != "// "+strings.Repeat("x", 100) {
		t.Errorf("a long word was split: %q", got)
	}
}

// writeGoMod writes a go.mod for module path into dir.
func writeGoMod(t *testing.T, dir, path string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+path+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportPath(t *testing.T) {
	root := t.TempDir()
	writeGoMod(t, root, "example.com/app")
	for dir, want := range map[string]string{
		root: "example.com/app",
		filepath.Join(root, "modules", "standard", "reports"): "example.com/app/modules/standard/reports",
	} {
		got, err := ImportPath(dir)
		if err != nil || got != want {
			t.Errorf("ImportPath(%s) = %q, %v; want %q", dir, got, err, want)
		}
	}

	nested := filepath.Join(root, "tools")
	if err := os.Mkdir(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	writeGoMod(t, nested, "example.com/tools")
	if got, err := ImportPath(filepath.Join(nested, "x")); err != nil || got != "example.com/tools/x" {
		t.Errorf("nested module: ImportPath = %q, %v; want the nearest go.mod's path", got, err)
	}

	noModule := filepath.Join(t.TempDir(), "app")
	if got, err := ImportPath(noModule); err == nil || !strings.Contains(err.Error(), "no go.mod in "+noModule) {
		t.Errorf("ImportPath without go.mod = %q, %v; want an error naming %s", got, err, noModule)
	}

	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "go.mod"), []byte("go 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPath(bad); err == nil || !strings.Contains(err.Error(), "no module directive") {
		t.Errorf("ImportPath with a go.mod without module = %v; want an error", err)
	}
}

// tree lists every path under dir with its contents, for comparing a
// directory before and after.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var allFeatures = []string{"api", "database", "settings"}

func TestCreate(t *testing.T) {
	app := t.TempDir()
	writeGoMod(t, app, "example.com/app")
	res, err := Create(app, Options{Name: "reports", Type: "standard", Features: allFeatures})
	if err != nil {
		t.Fatal(err)
	}
	wantDir := filepath.Join(app, "modules", "standard", "reports")
	if res.Dir != wantDir || res.ImportPath != "example.com/app/modules/standard/reports" || res.Package != "reports" {
		t.Errorf("Create = %+v", res)
	}
	if want := `reports.New(), // import "example.com/app/modules/standard/reports"`; res.MainEntry() != want {
		t.Errorf("MainEntry() = %q; want %q", res.MainEntry(), want)
	}
	if len(res.Files) != 8 {
		t.Errorf("wrote %d files (%q); want 8", len(res.Files), res.Files)
	}
	for _, f := range res.Files {
		fi, err := os.Stat(filepath.Join(wantDir, filepath.FromSlash(f)))
		if err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v; want 0644", f, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(wantDir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("module directory: %v, %v; want mode 0755", fi, err)
	}
	entries, err := os.ReadDir(filepath.Dir(wantDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("modules/standard holds %d entries; want only reports (no temporary directory)", len(entries))
	}

	// A second module beside it, and the same one again.
	if _, err := Create(app, Options{Name: "billing", Type: "standard"}); err != nil {
		t.Fatal(err)
	}
	before := tree(t, app)
	_, err = Create(app, Options{Name: "reports", Type: "standard"})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), filepath.Join("modules", "standard", "reports")) {
		t.Errorf("Create over an existing module = %v; want ErrExists naming the directory", err)
	}
	if after := tree(t, app); !reflect.DeepEqual(before, after) {
		t.Error("Create changed the application directory though the module exists")
	}
}

func TestCreateFailuresLeaveNothing(t *testing.T) {
	t.Run("no go.mod", func(t *testing.T) {
		app := t.TempDir()
		if _, err := Create(app, Options{Name: "reports", Type: "standard"}); err == nil || !strings.Contains(err.Error(), "no go.mod") {
			t.Errorf("Create = %v; want a no go.mod error", err)
		}
		if got := tree(t, app); len(got) != 1 {
			t.Errorf("Create left %q", got)
		}
	})
	t.Run("no application directory", func(t *testing.T) {
		app := filepath.Join(t.TempDir(), "missing")
		if _, err := Create(app, Options{Name: "reports", Type: "standard"}); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("Create = %v; want a does not exist error", err)
		}
		if _, err := os.Stat(app); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Create made %s", app)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		app := t.TempDir()
		writeGoMod(t, app, "example.com/app")
		if _, err := Create(app, Options{Name: "reports", Type: "core"}); err == nil {
			t.Error("Create accepted type core")
		}
		if got := tree(t, app); len(got) != 2 {
			t.Errorf("Create left %q", got)
		}
	})
	t.Run("target appears while writing", func(t *testing.T) {
		app := t.TempDir()
		writeGoMod(t, app, "example.com/app")
		beforeRename = func(tmp, target string) {
			if err := os.Mkdir(target, 0o755); err != nil {
				t.Error(err)
			}
		}
		defer func() { beforeRename = nil }()
		_, err := Create(app, Options{Name: "reports", Type: "standard", Features: allFeatures})
		if !errors.Is(err, ErrExists) {
			t.Errorf("Create = %v; want ErrExists", err)
		}
		want := map[string]string{"./": "", "go.mod": "module example.com/app\n\ngo 1.26\n", "modules/": "", "modules/standard/": "", "modules/standard/reports/": ""}
		if got := tree(t, app); !reflect.DeepEqual(got, want) {
			t.Errorf("after the failure the directory holds %q; want only the directory made meanwhile", got)
		}
	})
	t.Run("rename fails", func(t *testing.T) {
		app := t.TempDir()
		writeGoMod(t, app, "example.com/app")
		before := tree(t, app)
		beforeRename = func(tmp, target string) {
			if err := os.RemoveAll(tmp); err != nil {
				t.Error(err)
			}
		}
		defer func() { beforeRename = nil }()
		if _, err := Create(app, Options{Name: "reports", Type: "standard"}); err == nil {
			t.Fatal("Create succeeded though its temporary directory vanished")
		}
		if after := tree(t, app); !reflect.DeepEqual(before, after) {
			t.Errorf("after the failure the directory holds %q; want %q (the directories Create made removed)", after, before)
		}
	})
}
