package lsp

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"go.lsp.dev/protocol"
)

// TestFirstPublishBeforeLoad holds the session's load back and opens two
// files of modules that depend on each other (examples/violations' orders
// and shipping, whose contracts import each other, and billing): each file's
// first publication arrives while the session has not loaded, and equals
// what the server publishes for it once the session has loaded and checked
// it.
func TestFirstPublishBeforeLoad(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, "example.com/violations", violationsFiles(t, diffModules))
	hold := make(chan struct{})
	var release sync.Once
	loading := make(chan string, 4)
	e := newEditor(t, dir, editorConfig{}, Options{}, func(s *Server) {
		s.firstMinModules = 0 // a small application: checked first all the same
		s.beforeLoad = func(root string) {
			loading <- root
			<-hold
		}
	})
	t.Cleanup(func() { release.Do(func() { close(hold) }) })

	files := []string{"modules/standard/billing/module.go", "modules/standard/orders/service.go"}
	for _, f := range files {
		e.open(f)
	}
	first := map[string][]protocol.Diagnostic{}
	for _, f := range files {
		path := e.path(f)
		e.await("the first publication of "+f, func() bool {
			p := e.diags[path]
			if p == nil {
				return false
			}
			v, ok := p.Version.Get()
			return ok && v == 1
		})
		e.mu.Lock()
		first[f] = e.diags[path].Diagnostics
		e.mu.Unlock()
	}
	e.srv.mu.Lock()
	var loaded int
	for _, se := range e.srv.sessions {
		if se.loaded() != nil {
			loaded++
		}
	}
	e.srv.mu.Unlock()
	if loaded > 0 || e.srv.checks.recorded.Load() > 0 {
		t.Fatalf("%d sessions loaded and %d checks recorded before the load was let go", loaded, e.srv.checks.recorded.Load())
	}
	if n := e.srv.checks.first.Load(); n != int64(len(files)) {
		t.Errorf("%d files published by a first check, want %d", n, len(files))
	}
	if len(first[files[0]]) == 0 {
		t.Fatalf("nothing published first for %s", files[0])
	}

	release.Do(func() { close(hold) })
	e.settle()
	if n := e.srv.checks.recorded.Load(); n == 0 {
		t.Fatal("no check recorded once the session loaded")
	}
	for _, f := range files {
		full := e.diagnostics(f)
		if !reflect.DeepEqual(first[f], full) {
			t.Errorf("%s: the first publication\n%v\ndiffers from the loaded session's\n%v", f, describeFirst(first[f]), describeFirst(full))
		}
	}
}

func describeFirst(ds []protocol.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%d:%d %s %s", d.Range.Start.Line, d.Range.Start.Character, code(d), message(d)))
	}
	return out
}
