package lsp

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestEditorNewFromRev checks modls.newFromRev: only the findings on lines
// of the buffer that are new or changed since the git revision are
// published, unsaved edits included; without the setting every finding
// is; a revision git does not know is said once and filters nothing.
func TestEditorNewFromRev(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	dir := writeWorkspace(t, shopFiles(t))
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-q", "-m", "shop"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=modls", "-c", "user.email=modls@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	settings := func(rev string) map[string]any {
		return map[string]any{"modls": map[string]any{"newFromRev": rev}}
	}
	e := newEditor(t, dir, editorConfig{initOptions: settings("HEAD")}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	on := func(ds []protocol.Diagnostic, method string) bool {
		for _, d := range ds {
			if code(d) == "MOD002" && strings.Contains(message(d), "method "+method+" ") {
				return true
			}
		}
		return false
	}
	// Sell's finding is on a line as committed; Lend's on a line typed
	// now, not saved.
	e.replace(file, "func (s *Service) Sell(", "func (s *Service) Lend(ctx context.Context) error { return nil }\n\nfunc (s *Service) Sell(")
	e.awaitDiagnostics(file, "MOD002 on Lend alone", func(ds []protocol.Diagnostic) bool {
		return on(ds, "Lend") && !on(ds, "Sell")
	})
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"modls": map[string]any{}}})
	e.awaitDiagnostics(file, "MOD002 on Lend and Sell without newFromRev", func(ds []protocol.Diagnostic) bool {
		return on(ds, "Lend") && on(ds, "Sell")
	})
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": settings("no-such-rev")})
	e.await("a message about the revision", func() bool {
		for _, m := range e.messages {
			if strings.Contains(m, `newFromRev: unknown revision "no-such-rev"`) {
				return true
			}
		}
		return false
	})
	e.awaitDiagnostics(file, "every finding with an unknown revision", func(ds []protocol.Diagnostic) bool {
		return on(ds, "Lend") && on(ds, "Sell")
	})
}
