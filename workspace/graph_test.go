package workspace

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/modls/modls/framework"
)

// TestDependencyCycleRandomGraphs compares DependencyCycle with the walk
// alone (walkCycle) on random applications: names repeated, dependencies
// on names no module has, on itself, and cycles of every length.
func TestDependencyCycleRandomGraphs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cyclic := 0
	for round := range 500 {
		n := 1 + r.IntN(12)
		names := r.IntN(n+3) + 1 // fewer names than modules repeats some
		a := &App{Dir: "/app"}
		for i := range n {
			var deps []string
			for range r.IntN(4) {
				deps = append(deps, fmt.Sprintf("standard.m%d", r.IntN(names+1)))
			}
			a.Modules = append(a.Modules, &Module{App: a, moduleData: &moduleData{
				Dir:      fmt.Sprintf("/app/modules/standard/d%02d", i),
				Manifest: framework.Manifest{Name: fmt.Sprintf("standard.m%d", r.IntN(names)), Dependencies: deps},
			}})
		}
		w := &Workspace{Apps: []*App{a}}
		w.index()
		for _, m := range a.Modules {
			got, want := m.DependencyCycle(), m.walkCycle()
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, %s (deps %v): cycle %v, the walk finds %v", round, m.Name(), m.Manifest.Dependencies, got, want)
			}
			if want != nil {
				cyclic++
			}
		}
	}
	if cyclic < 100 {
		t.Fatalf("only %d modules on a cycle: the graphs test little", cyclic)
	}
}

// TestWithFileSharesWhatDidNotChange checks that a change to a Go file
// shares the maps that find the modules and the dependency graph with the
// model before it, and that a change to a manifest's name or dependencies
// makes them afresh.
func TestWithFileSharesWhatDidNotChange(t *testing.T) {
	_, w := loadTree(t, tree)
	audit := w.Apps[0].ByName("standard.audit")
	if c := audit.DependencyCycle(); c != nil { // the graph is made now
		t.Fatalf("cycle %v", c)
	}
	// A Go file: the maps and the graph are the old model's.
	goFile := filepath.Join(audit.Dir, "module.go")
	nw, err := w.WithFile(goFile, Overlay{goFile: []byte("package audit\n")})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%p", nw.byDir) != fmt.Sprintf("%p", w.byDir) || nw.Apps[0].deps != w.Apps[0].deps {
		t.Error("a change to a Go file made the maps or the graph afresh")
	}
	if got := nw.Module(audit.Dir); got == audit || got.App != nw.Apps[0] || len(got.Registrations) != 0 {
		t.Errorf("Module(%s) is not the new model's module: %+v", audit.Dir, got)
	}
	if nw.Apps[0].ByName("standard.audit") != nw.Module(audit.Dir) {
		t.Error("ByName and Module disagree")
	}
	// A dependency that closes a cycle: the graph is made again.
	man := audit.ManifestPath
	cyc, err := nw.WithFile(man, Overlay{man: []byte(`{"name": "standard.audit", "dependencies": ["standard.analytics"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if c := cyc.Apps[0].ByName("standard.audit").DependencyCycle(); !slices.Equal(c, []string{"standard.audit", "standard.analytics", "standard.audit"}) {
		t.Errorf("after the dependency was added: cycle %v", c)
	}
	if c := nw.Apps[0].ByName("standard.audit").DependencyCycle(); c != nil {
		t.Errorf("the model before the change has cycle %v", c)
	}
	// A new name: the maps are made again.
	renamed, err := nw.WithFile(man, Overlay{man: []byte(`{"name": "standard.ledger"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if renamed.Apps[0].ByName("standard.audit") != nil || renamed.Apps[0].ByName("standard.ledger") != renamed.Module(audit.Dir) {
		t.Error("after the rename, ByName finds the old name or not the new one")
	}
	// The module's last file gone: the others are found where they are.
	for _, f := range audit.Files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(audit.Dir); err != nil {
		t.Fatal(err)
	}
	gone, err := nw.WithFile(goFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gone.Module(audit.Dir) != nil || gone.Apps[0].ByName("standard.audit") != nil {
		t.Error("a removed module is still found")
	}
	for _, m := range gone.Modules() {
		if gone.Module(m.Dir) != m || gone.Apps[0].ByName(m.Name()) != m {
			t.Errorf("%s is not found where it is", m.Name())
		}
	}
}
