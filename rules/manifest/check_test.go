package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/workspace"
)

// loadModule writes files (slash paths relative to a fresh workspace root)
// and returns the model of the module in dir.
func loadModule(t *testing.T, files map[string]string, dir string) *workspace.Module {
	t.Helper()
	root := t.TempDir()
	files["go.mod"] = "module example.com/t\n\ngo 1.26\n"
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, err := workspace.Load(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := w.Module(filepath.Join(root, filepath.FromSlash(dir)))
	if m == nil || m.Object == nil {
		t.Fatalf("no module with a readable manifest in %s: %+v", dir, m)
	}
	return m
}

// lineCol is the 1-based line and byte column of an offset.
func lineCol(data []byte, off int) string {
	line := 1 + strings.Count(string(data[:off]), "\n")
	col := off - strings.LastIndex(string(data[:off]), "\n")
	return fmt.Sprintf("%d:%d", line, col)
}

// render lists findings in the order of their place in the file.
func render(m *workspace.Module, fs []finding) []string {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].start < fs[j].start })
	var out []string
	for _, f := range fs {
		s := lineCol(m.ManifestData, f.start) + ": " + f.msg
		if f.fix != nil {
			s += " [" + f.fix.title + "]"
		}
		out = append(out, s)
	}
	return out
}

func used(features ...string) code {
	c := code{registered: map[string]bool{}, uses: map[string]bool{}}
	for _, f := range features {
		c.uses[f] = true
	}
	return c
}

func (c code) registering(services ...string) code {
	for _, s := range services {
		c.registered[s] = true
	}
	return c
}

const x = "modules/standard/x/manifest.json"

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		code  code
		want  []string
	}{{
		name: "correct",
		files: map[string]string{
			x:                                  `{"name": "standard.x", "version": "2.0.0-rc.1", "description": "", "features": ["api", "database", "settings"], "dependencies": ["standard.y", "core.database", "core.settings", "core.error_handler"], "services": ["x.one", "x.two"], "heavy": true}`,
			"modules/standard/y/manifest.json": `{"name": "standard.y", "version": "1.0.0"}`,
		},
		code: used("api", "database", "settings").registering("x.one", "x.two"),
	}, {
		name:  "nulls read as zero values",
		files: map[string]string{x: `{"name": "standard.x", "version": "1.0.0", "description": null, "features": null, "dependencies": null, "services": null, "heavy": null}`},
		code:  used(),
	}, {
		name:  "duplicate and unknown keys",
		files: map[string]string{x: "{\n  \"name\": \"standard.x\",\n  \"version\": \"1.0.0\",\n  \"nmae\": \"x\",\n  \"color\": 1,\n  \"version\": \"1.0.1\"\n}\n"},
		code:  used(),
		want: []string{
			`4:3: unknown key "nmae" (did you mean "name"?)`,
			`5:3: unknown key "color"`,
			`6:3: duplicate key "version"`,
		},
	}, {
		name:  "wrong types",
		files: map[string]string{x: `{"name": 7, "version": "1.0.0", "description": ["a"], "features": "api", "dependencies": {}, "services": ["x.a", 3, null], "heavy": "yes"}`},
		code:  used().registering("x.a"),
		want: []string{
			`1:10: name is a number, want a string`,
			`1:48: description is an array, want a string`,
			`1:67: features is a string, want an array of strings`,
			`1:90: dependencies is an object, want an array of strings`,
			`1:114: an element of services is a number, want a string`,
			`1:117: an element of services is null, want a string`,
			`1:133: heavy is a string, want a boolean`,
		},
	}, {
		name:  "no name, no version",
		files: map[string]string{x: "{\n  \"description\": \"d\"\n}\n"},
		code:  used(),
		want: []string{
			`1:1: manifest.json has no name (want "standard.x") [Set name to standard.x]`,
			`1:1: manifest.json has no version`,
		},
	}, {
		name:  "empty name",
		files: map[string]string{x: `{"name": "", "version": "1.0.0"}`},
		code:  used(),
		want:  []string{`1:10: name is empty (want "standard.x") [Set name to standard.x]`},
	}, {
		name:  "malformed name and version",
		files: map[string]string{x: `{"name": "Standard-X", "version": "v1.0.0"}`},
		code:  used(),
		want: []string{
			`1:10: name "Standard-X" is not of the form <type>.<name> (lowercase letters, digits, _) [Set name to standard.x]`,
			`1:35: version "v1.0.0" is not semantic (MAJOR.MINOR.PATCH)`,
		},
	}, {
		name:  "name of another directory",
		files: map[string]string{x: `{"name": "extra.x", "version": "1.0.0", "services": ["x.a"]}`},
		code:  used().registering("x.a"),
		want:  []string{`1:10: name "extra.x" does not match its directory modules/standard/x (want "standard.x") [Set name to standard.x]`},
	}, {
		name: "a directory that is no module name is not compared",
		files: map[string]string{
			"modules/standard/my-x/manifest.json": `{"name": "standard.myx", "version": "1.0.0", "services": ["myx.a", "my-x.a"]}`,
		},
		code: used().registering("myx.a", "my-x.a"),
		want: []string{`1:68: service name "my-x.a" is not of the form myx.<name>`},
	}, {
		name:  "features",
		files: map[string]string{x: "{\n  \"name\": \"standard.x\",\n  \"version\": \"1.0.0\",\n  \"features\": [\"api\", \"cache\", \"api\", \"database\", \"settings\"]\n}\n"},
		code:  used("api"),
		want: []string{
			`4:23: unknown feature "cache" (want api, database or settings)`,
			`4:32: duplicate feature "api"`,
			`4:39: feature database is declared but the module has no schema and never uses the database [Remove database from features]`,
			`4:51: feature settings is declared but the module never reads its settings (framework.Settings) [Remove settings from features]`,
		},
	}, {
		name:  "api declared but no routes",
		files: map[string]string{x: `{"name": "standard.x", "version": "1.0.0", "features": ["api"]}`},
		code:  used("database"), // using another feature is no use of this one
		want:  []string{`1:57: feature api is declared but the module registers no routes (Setup.Handle) [Remove api from features]`},
	}, {
		name: "dependencies",
		files: map[string]string{
			x:                                  `{"name": "standard.x", "version": "1.0.0", "dependencies": ["standard.y", "Y", "standard.x", "standard.y", "standard.payments", "core.database", "core.cache"]}`,
			"modules/standard/y/manifest.json": `{"name": "standard.y", "version": "1.0.0"}`,
		},
		code: used(),
		want: []string{
			`1:75: dependency "Y" is not a module name (<type>.<name>)`,
			`1:80: dependency "standard.x" is the module itself [Remove standard.x from dependencies]`,
			`1:94: duplicate dependency "standard.y"`,
			`1:108: unknown dependency "standard.payments": no module of the application has that name [Remove standard.payments from dependencies]`,
			`1:146: unknown dependency "core.cache": no module of the application has that name [Remove core.cache from dependencies]`,
		},
	}, {
		name: "cycle",
		files: map[string]string{
			x:                                  "{\n  \"name\": \"standard.x\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": [\n    \"core.database\",\n    \"standard.y\"\n  ]\n}\n",
			"modules/standard/y/manifest.json": `{"name": "standard.y", "version": "1.0.0", "dependencies": ["standard.z"]}`,
			"modules/standard/z/manifest.json": `{"name": "standard.z", "version": "1.0.0", "dependencies": ["standard.x"]}`,
		},
		code: used(),
		want: []string{`6:5: dependency cycle: standard.x -> standard.y -> standard.z -> standard.x`},
	}, {
		name: "leading into a cycle is no cycle of its own",
		files: map[string]string{
			x:                                  `{"name": "standard.x", "version": "1.0.0", "dependencies": ["standard.y"]}`,
			"modules/standard/y/manifest.json": `{"name": "standard.y", "version": "1.0.0", "dependencies": ["standard.z"]}`,
			"modules/standard/z/manifest.json": `{"name": "standard.z", "version": "1.0.0", "dependencies": ["standard.y"]}`,
		},
		code: used(),
	}, {
		name:  "services",
		files: map[string]string{x: "{\n  \"name\": \"standard.x\",\n  \"version\": \"1.0.0\",\n  \"services\": [\n    \"x.a\",\n    \"x_b\",\n    \"x.a\",\n    \"x.search\"\n  ]\n}\n"},
		code:  used().registering("x.a", "x_b"),
		want: []string{
			`6:5: service name "x_b" is not of the form x.<name>`,
			`7:5: duplicate service "x.a"`,
			`8:5: service "x.search" is listed but the code does not register it [Remove x.search from services]`,
		},
	}, {
		name:  "services registered under names that are not constants",
		files: map[string]string{x: `{"name": "standard.x", "version": "1.0.0", "services": ["x.a", "x.b"]}`},
		code:  code{registered: map[string]bool{"x.a": true}, opaque: true},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := "modules/standard/x"
			if _, ok := tc.files[x]; !ok {
				dir = "modules/standard/my-x"
			}
			m := loadModule(t, tc.files, dir)
			got := render(m, check(m, tc.code))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

// TestCheckFixes applies the fixes of check's findings.
func TestCheckFixes(t *testing.T) {
	const in = "{\n  \"name\": \"extra.x\",\n  \"version\": \"1.0.0\",\n  \"features\": [\"database\"],\n  \"dependencies\": [\n    \"standard.gone\"\n  ],\n  \"services\": [\"x.a\", \"x.search\"]\n}\n"
	m := loadModule(t, map[string]string{x: in}, "modules/standard/x")
	want := map[string]string{
		"Set name to standard.x":                 "{\n  \"name\": \"standard.x\",\n  \"version\": \"1.0.0\",\n  \"features\": [\"database\"],\n  \"dependencies\": [\n    \"standard.gone\"\n  ],\n  \"services\": [\"x.a\", \"x.search\"]\n}\n",
		"Remove database from features":          "{\n  \"name\": \"extra.x\",\n  \"version\": \"1.0.0\",\n  \"features\": [],\n  \"dependencies\": [\n    \"standard.gone\"\n  ],\n  \"services\": [\"x.a\", \"x.search\"]\n}\n",
		"Remove standard.gone from dependencies": "{\n  \"name\": \"extra.x\",\n  \"version\": \"1.0.0\",\n  \"features\": [\"database\"],\n  \"dependencies\": [],\n  \"services\": [\"x.a\", \"x.search\"]\n}\n",
		"Remove x.search from services":          "{\n  \"name\": \"extra.x\",\n  \"version\": \"1.0.0\",\n  \"features\": [\"database\"],\n  \"dependencies\": [\n    \"standard.gone\"\n  ],\n  \"services\": [\"x.a\"]\n}\n",
	}
	seen := 0
	for _, f := range check(m, used().registering("x.a")) {
		if f.fix == nil {
			continue
		}
		seen++
		for _, e := range f.fix.edits {
			if e.File != m.ManifestPath {
				t.Errorf("%s edits %s", f.fix.title, e.File)
			}
		}
		got, err := codeactions.ApplyEdits(m.ManifestData, f.fix.edits)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[f.fix.title]; !ok {
			t.Errorf("unexpected fix %q", f.fix.title)
		} else if string(got) != w {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", f.fix.title, got, w)
		}
	}
	if seen != len(want) {
		t.Errorf("%d fixes, want %d", seen, len(want))
	}
}
