package lsp

import (
	"context"
	"testing"
)

// TestRunKeepsAffectedWhenCancelled checks that a run cancelled after the
// edited package but before a package its change affects hands the latter
// back for the next run, which starts from the newest edit and would
// otherwise not reach it: the importer of an edited contract would show
// findings against the old contract until it was edited itself.
func TestRunKeepsAffectedWhenCancelled(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, "example.com/violations", violationsFiles(t, []string{"billing"}))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const contract, importer = "modules/standard/billing/contract/contract.go", "modules/standard/billing/service.go"
	e.open(contract)
	e.open(importer)
	e.replace(contract, "MarkPaid(ctx context.Context, id int64) error", "MarkPaid(ctx context.Context, id int64) (bool, error)")
	e.diagnostics(contract)
	e.diagnostics(importer)
	e.settle()

	// Check the contract again, as a run started by its edit would, and
	// cancel the run as soon as the contract's findings are published:
	// the importer is next.
	e.srv.mu.Lock()
	before := e.srv.results[e.path(importer)].id
	e.srv.mu.Unlock()
	e.mu.Lock()
	published := e.publishCount
	e.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.mu.Lock()
	e.onPublish = func(path string) {
		if path == e.path(contract) {
			cancel()
		}
	}
	e.mu.Unlock()
	left := e.srv.run(ctx, map[string]bool{e.path(contract): true}, nil)
	e.await("the contract's publication", func() bool { return e.publishCount > published })
	e.mu.Lock()
	e.onPublish = nil
	e.mu.Unlock()
	if ctx.Err() == nil {
		t.Fatal("the run ended before the contract's findings were published")
	}
	e.srv.mu.Lock()
	after := e.srv.results[e.path(importer)].id
	e.srv.mu.Unlock()
	handedBack := false
	for _, f := range left {
		handedBack = handedBack || packageKey(f) == packageKey(e.path(importer))
	}
	if after == before && !handedBack {
		t.Fatalf("the run was cancelled before checking %s and did not hand it back: left %q", importer, left)
	}
	t.Logf("importer checked: %v; handed back: %v", after != before, handedBack)
}
