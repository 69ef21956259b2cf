package nav

import (
	"os"
	"path/filepath"
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

// TestBuildYielding checks that a build calls yield once before each
// module it reads afresh, none for the modules the previous index lends,
// and indexes the same as Build.
func TestBuildYielding(t *testing.T) {
	ws, err := workspace.Load("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	yields := 0
	x := BuildYielding(ws, os.ReadFile, nil, func() { yields++ })
	if n := len(ws.Modules()); yields != n || x.Fresh() != n {
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
}
