package nav

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modls/modls/workspace"
)

func exampleIndex(t *testing.T) *Index {
	t.Helper()
	ws, err := workspace.Load("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	return Build(ws, os.ReadFile, nil)
}

// at finds the occurrence at the first occurrence of marker in file (the
// offset of the marker's first byte plus shift).
func at(t *testing.T, x *Index, file, marker string, shift int) *Occurrence {
	t.Helper()
	abs, _ := filepath.Abs(filepath.Join("..", file))
	text := x.Text(abs)
	i := strings.Index(string(text), marker)
	if i < 0 {
		t.Fatalf("%s: no %q", file, marker)
	}
	o := x.At(abs, i+shift)
	if o == nil {
		t.Fatalf("%s: nothing at %q", file, marker)
	}
	return o
}

func TestExampleApp(t *testing.T) {
	x := exampleIndex(t)
	const analytics = "examples/app/modules/standard/analytics/"
	o := at(t, x, analytics+"module.go", `"audit.service")`, 3)
	if o.Kind != Service || o.Name != "audit.service" || o.Where != "lookup" {
		t.Fatalf("lookup: %+v", o)
	}
	h := x.Hover(o)
	for _, want := range []string{"provided by `standard.audit`", "declares the dependency", "```go\n"} {
		if !strings.Contains(h, want) {
			t.Errorf("hover lacks %q:\n%s", want, h)
		}
	}
	t.Log(h)
	defs := x.Definition(o)
	if len(defs) != 1 || !strings.HasSuffix(defs[0].File, "audit/module.go") {
		t.Fatalf("definition: %+v", defs)
	}
	var wheres []string
	for _, r := range x.References(o, true) {
		wheres = append(wheres, r.Module+" "+r.Where)
	}
	if got, want := strings.Join(wheres, ", "), "standard.audit registration, standard.analytics lookup, standard.audit manifest services, standard.notifications lookup"; got != want {
		t.Errorf("references: %s, want %s", got, want)
	}
	for _, c := range []struct {
		file, marker string
		shift        int
		want         []string
	}{
		{"schema.go", "FROM analytics_events ORDER", 5, []string{"**table** `analytics_events` of `standard.analytics`", "CREATE TABLE analytics_events ( id INTEGER PRIMARY KEY,", "schema.go:6"}},
		{"schema.go", "occurred_at FROM", 1, []string{"**column** `analytics_events.occurred_at`", "occurred_at TEXT NOT NULL", "schema.go:10"}},
		{"settings.go", "RetentionDays int", 1, []string{"`APP_STANDARD_ANALYTICS_RETENTION_DAYS`", "default: `90`", "validation: `min=1,max=3650`", `{"standard.analytics": {"retention_days": …}}`}},
		{"api.go", `"/events/summary"`, 2, []string{"`GET /api/v1/analytics/events/summary`", "response: `SummaryResponse`"}},
		{"manifest.json", `"standard.audit"`, 2, []string{"**module** `standard.audit` 1.0.0", "services: `audit.service`"}},
	} {
		h := x.Hover(at(t, x, analytics+c.file, c.marker, c.shift))
		for _, w := range c.want {
			if !strings.Contains(h, w) {
				t.Errorf("hover at %q lacks %q:\n%s", c.marker, w, h)
			}
		}
	}
	o = at(t, x, analytics+"manifest.json", `"standard.audit"`, 2)
	if d := x.Definition(o); len(d) != 1 || !strings.HasSuffix(d[0].File, "audit/manifest.json") {
		t.Errorf("definition of a dependency: %+v", d)
	}
	o = at(t, x, analytics+"schema.go", "FROM analytics_events ORDER", 5)
	if d := x.Definition(o); len(d) != 1 || !strings.HasSuffix(d[0].File, "schema.go") || string(x.Text(d[0].File)[d[0].Start:d[0].End]) != "analytics_events" {
		t.Errorf("definition of a table: %+v", d)
	}
	if n := len(x.References(o, false)); n < 6 {
		t.Errorf("%d references of analytics_events, want its index migrations and queries", n)
	}
}

// TestBuildYielding checks that a build with modules to read calls yield
// once before it starts and once before each module it reads afresh, none
// for the modules the previous index lends, and indexes the same as
// Build.
func TestBuildYielding(t *testing.T) {
	ws, err := workspace.Load("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	yields := 0
	x := BuildYielding(ws, os.ReadFile, nil, func() { yields++ })
	if n := len(ws.Modules()); yields != n+1 || x.Fresh() != n {
		t.Errorf("a full build of %d modules yielded %d times and read %d", n, yields, x.Fresh())
	}
	if a, b := x.Hover(at(t, x, "examples/app/modules/standard/analytics/module.go", `"audit.service")`, 3)),
		exampleIndex(t).Hover(at(t, exampleIndex(t), "examples/app/modules/standard/analytics/module.go", `"audit.service")`, 3)); a != b || a == "" {
		t.Errorf("hover differs from Build's:\n%s\n%s", a, b)
	}
	yields = 0
	if BuildYielding(ws, os.ReadFile, x, func() { yields++ }); yields != 0 {
		t.Errorf("a build with nothing changed yielded %d times", yields)
	}
	// One module changed: the build yields before it copies the last
	// index, then before it reads the module.
	name, err := filepath.Abs("../examples/app/modules/standard/audit/module.go")
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	overlay := workspace.Overlay{name: append(text, "\n// Edited.\n"...)}
	edited, err := ws.WithFile(name, overlay)
	if err != nil {
		t.Fatal(err)
	}
	read := func(n string) ([]byte, error) {
		if data, ok := overlay[n]; ok {
			return data, nil
		}
		return os.ReadFile(n)
	}
	yields = 0
	if next := BuildYielding(edited, read, x, func() { yields++ }); yields != 2 || next.Fresh() != 1 {
		t.Errorf("a build with one module changed yielded %d times and read %d modules, want 2 and 1", yields, next.Fresh())
	}
}

// TestRebuildIsTheFullBuild edits modules of the example application, one
// after another, and checks that the index made from the one before
// (rebuild) answers as a full build of the same model does: its files,
// their occurrences, the symbols, the modules and services. One edit
// changes what a module's manifest says of it, one renames the module,
// one renames a service, one adds a file.
func TestRebuildIsTheFullBuild(t *testing.T) {
	ws, err := workspace.Load("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	overlay := workspace.Overlay{}
	read := func(name string) ([]byte, error) {
		if data, ok := overlay[name]; ok {
			return data, nil
		}
		return os.ReadFile(name)
	}
	abs := func(rel string) string {
		p, err := filepath.Abs(filepath.Join("..", rel))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	x := Build(ws, read, nil)
	const audit = "examples/app/modules/standard/audit/"
	const analytics = "examples/app/modules/standard/analytics/"
	for _, c := range []struct{ name, file, old, new string }{
		{"a comment", audit + "module.go", "package audit\n", "package audit\n\n// Edited.\n"},
		{"a module described anew", audit + "manifest.json", `"description": "`, `"description": "Edited. `},
		{"a module renamed", audit + "manifest.json", `"name": "standard.audit"`, `"name": "standard.audits"`},
		{"a service renamed", analytics + "module.go", `"analytics.service"`, `"analytics.services"`},
		{"a file added", analytics + "extra.go", "", "package analytics\n\nconst extra = \"audit.service\"\n"},
	} {
		name := abs(c.file)
		old, err := read(name)
		if err != nil && c.old != "" {
			t.Fatal(err)
		}
		if !strings.Contains(string(old), c.old) {
			t.Fatalf("%s: %s does not hold %q", c.name, c.file, c.old)
		}
		overlay[name] = []byte(strings.Replace(string(old), c.old, c.new, 1))
		if ws, err = ws.WithFile(name, overlay); err != nil {
			t.Fatal(err)
		}
		next := BuildYielding(ws, read, x, nil)
		if next.Fresh() == 0 || next.Fresh() == len(ws.Modules()) {
			t.Errorf("%s: %d of %d modules read again", c.name, next.Fresh(), len(ws.Modules()))
		}
		if got, want := describe(next), describe(Build(ws, read, nil)); got != want {
			t.Errorf("%s: the index made from the last one differs from a full build:\n%s\nwant\n%s", c.name, got, want)
		}
		x = next
	}
}

// describe writes out what an index answers of every file it holds.
func describe(x *Index) string {
	var b strings.Builder
	var names []string
	for dir := range x.mods {
		mi := x.mod(dir)
		for name := range mi.files {
			if x.file(name) == mi.files[name] {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "%s %d bytes, module %s\n", name, len(x.Text(name)), x.ModuleOf(name))
		for _, o := range x.Occurrences(name) {
			fmt.Fprintf(&b, "  %d-%d %v %s def=%v %s\n", o.Start, o.End, o.Kind, o.Name, o.Def, o.Where)
		}
	}
	if len(names) > 0 {
		for _, m := range x.ModuleNames(names[0]) {
			fmt.Fprintf(&b, "module %+v\n", *x.Module(names[0], m))
		}
		for _, s := range x.Services(names[0]) {
			fmt.Fprintf(&b, "service %s\n", s.Name)
		}
	}
	// Every application's modules by name.
	for _, a := range x.apps {
		var mods []string
		for name := range a.byName {
			mods = append(mods, name)
		}
		sort.Strings(mods)
		for _, name := range mods {
			fmt.Fprintf(&b, "app %s: %s is module %+v, found in %s\n", a.dir, name, *x.moduleInfo(a.dir, name), x.appOfModule(name))
		}
	}
	for _, s := range x.Symbols("") {
		fmt.Fprintf(&b, "symbol %v %s in %s at %v\n", s.Kind, s.Name, s.Container, s.Loc)
	}
	return b.String()
}

// TestTextsOfModulesNotEdited checks that the index keeps the Go files'
// texts of the modules being edited only: another file's text is read
// again when asked, and only while it reads as the index read it.
func TestTextsOfModulesNotEdited(t *testing.T) {
	ws, err := workspace.Load("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	overlay := map[string][]byte{}
	read := func(name string) ([]byte, error) {
		if data, ok := overlay[name]; ok {
			return data, nil
		}
		return os.ReadFile(name)
	}
	x := Build(ws, read, nil)
	file, _ := filepath.Abs("../examples/app/modules/standard/audit/module.go")
	other, _ := filepath.Abs("../examples/app/modules/standard/analytics/module.go")
	disk, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if f := x.file(file); f == nil || f.text != nil {
		t.Fatalf("a full build kept the text of %s", file)
	}
	if got := x.Text(file); string(got) != string(disk) {
		t.Fatalf("Text(%s) = %d bytes, want the file's %d", file, len(got), len(disk))
	}
	if o := at(t, x, "examples/app/modules/standard/audit/module.go", `RegisterService("audit.service"`, 17); o.Name != "audit.service" {
		t.Errorf("occurrence %+v", o)
	}
	// The file changes and the index does not know yet: no text, rather
	// than offsets into another one.
	overlay[file] = append([]byte("// moved\n"), disk...)
	if got := x.Text(file); got != nil {
		t.Errorf("Text of a changed file = %d bytes, want none", len(got))
	}
	// The index of the edit keeps the edited module's texts, and takes
	// the other modules as they were.
	nw, err := ws.WithFile(file, workspace.Overlay(overlay))
	if err != nil {
		t.Fatal(err)
	}
	next := BuildYielding(nw, read, x, nil)
	if f := next.file(file); f == nil || string(f.text) != string(overlay[file]) {
		t.Errorf("the edited module's text is not kept")
	}
	if f := next.file(other); f == nil || f.text != nil {
		t.Errorf("the text of %s, not edited, is kept", other)
	}
	if got, want := describe(next), describe(Build(nw, read, nil)); got != want {
		t.Errorf("the index after the edit differs from a full build:\n%s\nwant\n%s", got, want)
	}
}
