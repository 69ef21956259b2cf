package lsp

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/modls/modls/workspace"
)

// soakEdits is about how many edits TestSoak sends after its first round.
const soakEdits = 3000

// soakLeakPerEdit bounds the growth of the live heap over the soak: a leak
// of 1 KB per edit (3 MB) is eight times more; the growth measured is some
// ±50 KiB in all.
const soakLeakPerEdit = 128

// TestSoak types into a module file the way a user does, for some 3,000
// edits: a method typed a character at a time (a new finding), a use of a
// package not yet imported (a compile error), the import pasted in, a
// suppression line pasted above the method (the finding goes), whole
// lines deleted, and the method taken out again with backspace, over and
// over, code actions and lenses asked for meanwhile. At the end of each
// round (some 200 edits), and of each stage in every other round, it
// waits for the publication of the buffer's version and checks what it
// holds. It checks that the server ran a check for every wait,
// coalesced the checks of fast typing, and ends with no more goroutines
// and no more live heap than after the first round (the text is the same
// again): at most 128 bytes per edit, so that 1 KB per edit would fail.
//
// MODLS_SOAK_LEAK=N makes the server keep N bytes more per edit, to see
// the bound catch it.
func TestSoak(t *testing.T) {
	var hook func(*Server)
	if n := os.Getenv("MODLS_SOAK_LEAK"); n != "" {
		size, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("MODLS_SOAK_LEAK=%q: %v", n, err)
		}
		hook = func(s *Server) {
			var kept [][]byte
			m := s.methods["textDocument/didChange"]
			handle := m.handle
			m.handle = func(ctx context.Context, s *Server, p jsonrpc2.RawMessage) (any, error) {
				kept = append(kept, make([]byte, size))
				return handle(ctx, s, p)
			}
			s.methods["textDocument/didChange"] = m
		}
	}
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, hook)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	original := e.text(file)
	baseline := summary(e.diagnostics(file))
	s := &soak{t: t, e: e, file: file}

	s.round(original, baseline, true) // warm-up: every path taken once
	e.settle()
	goroutines := runtime.NumGoroutine()
	heap := liveHeap()
	recorded, cancelled := e.srv.checks.recorded.Load(), e.srv.checks.cancelled.Load()
	edits, waits := s.edits, s.waits

	for n := 1; s.edits-edits < soakEdits; n++ {
		s.round(original, baseline, n%2 == 0)
	}
	e.settle()
	edits, waits = s.edits-edits, s.waits-waits
	recorded, cancelled = e.srv.checks.recorded.Load()-recorded, e.srv.checks.cancelled.Load()-cancelled

	// A check ran for every state waited for, and typing did not start
	// one per keystroke: each edit cancels the check in flight.
	t.Logf("%d edits, %d waits: %d checks recorded, %d cancelled", edits, waits, recorded, cancelled)
	if recorded < int64(waits) {
		t.Errorf("%d checks recorded for %d states waited for", recorded, waits)
	}
	if recorded > int64(edits)/4 {
		t.Errorf("%d checks recorded for %d edits: fast typing is not coalesced", recorded, edits)
	}
	if started := recorded + cancelled; started > int64(edits) {
		t.Errorf("%d checks started for %d edits", started, edits)
	}

	// Nothing left running: finished requests' goroutines unwind.
	var after int
	deadline := time.Now().Add(waitLimit)
	for {
		after = runtime.NumGoroutine()
		if after <= goroutines || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling for the unwinding, within waitLimit
	}
	if after > goroutines {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines grew from %d to %d:\n%s", goroutines, after, buf[:runtime.Stack(buf, true)])
	}
	grown := liveHeap() - heap
	t.Logf("live heap %d KiB after the first round, %+d KiB after %d more edits (%.0f bytes per edit)", heap>>10, grown/1024, edits, float64(grown)/float64(edits))
	if limit := int64(edits) * soakLeakPerEdit; grown > limit {
		t.Fatalf("the live heap grew by %d KiB over %d edits, more than %d bytes per edit", grown/1024, edits, soakLeakPerEdit)
	}
}

// soak types into one file.
type soak struct {
	t            *testing.T
	e            *editor
	file         string
	edits, waits int
}

// type inserts text at off a character at a time, as typed.
func (s *soak) typeAt(off int, text string) {
	for _, r := range text {
		s.e.change(s.file, off, off, string(r))
		off += utf8.RuneLen(r)
		s.edits++
	}
}

// backspace deletes n bytes before end a character at a time.
func (s *soak) backspace(end, n int) {
	text := s.e.text(s.file)
	for start := end - n; end > start; {
		_, size := utf8.DecodeLastRuneInString(text[:end])
		s.e.change(s.file, end-size, end, "")
		text = text[:end-size] + text[end:]
		end -= size
		s.edits++
	}
}

// replace replaces a whole line or a few (a paste, a line deleted).
func (s *soak) replace(old, new string) {
	s.t.Helper()
	s.e.replace(s.file, old, new)
	s.edits++
}

// expect waits for the publication of the buffer's version and checks
// that its findings hold each of want and none of unwanted.
func (s *soak) expect(stage string, want, unwanted []string) {
	s.t.Helper()
	s.waits++
	got := summary(s.e.diagnostics(s.file))
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
			s.t.Fatalf("after %d edits, %s: no %q in %q", s.edits, stage, w, got)
		}
	}
	for _, u := range unwanted {
		if slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, u) }) {
			s.t.Fatalf("after %d edits, %s: %q in %q", s.edits, stage, u, got)
		}
	}
}

const (
	soakMethod = "\n// Refund gives the money back (ñ😀).\nfunc (s *Service) Refund(ctx context.Context, id int) error {\n\treturn nil\n}\n"
	soakUse    = "\tif strings.HasPrefix(\"ü😀\", \"x\") {\n\t\treturn nil\n\t}\n"
	soakImport = "import (\n\t\"context\"\n\t\"strings\"\n)"
	soakIgnore = "//modls:ignore MOD002 documented with the billing service\n"
)

// round is one round of typing, from the original text back to it,
// pausing for the findings at the end of each stage (stages) or only at
// the end of the round, as a faster typist would.
func (s *soak) round(original string, baseline []string, stages bool) {
	e, t := s.e, s.t
	t.Helper()
	expect := func(stage string, want, unwanted []string) {
		t.Helper()
		if stages {
			s.expect(stage, want, unwanted)
		}
	}
	s.typeAt(len(original), soakMethod)
	expect("typing Refund", []string{"MOD002 exported method Refund", "MOD011"}, []string{"compile"})

	body := strings.LastIndex(e.text(s.file), "\treturn nil\n}")
	s.typeAt(body, soakUse)
	expect("using strings", []string{"compile", "strings"}, nil)

	s.replace(`import "context"`, soakImport)
	expect("importing strings", []string{"MOD002 exported method Refund"}, []string{"compile"})

	s.replace("func (s *Service) Refund(", soakIgnore+"func (s *Service) Refund(")
	expect("suppressing MOD002", []string{"MOD011"}, []string{"MOD002 exported method Refund"})

	s.replace(soakIgnore, "")
	s.replace(soakUse, "")
	s.replace(soakImport, `import "context"`)
	e.codeActions(s.file, protocol.Range{})
	e.codeLenses(s.file)
	text := e.text(s.file)
	s.backspace(len(text), len(text)-len(original))
	if got := e.text(s.file); got != original {
		t.Fatalf("the round did not end on the original text:\n%s", got)
	}
	s.waits++
	if got := summary(e.diagnostics(s.file)); !slices.Equal(got, baseline) {
		t.Fatalf("after %d edits, back to the original text: %q, at first %q", s.edits, got, baseline)
	}
}

// summary lists diagnostics as "RULE message", sorted.
func summary(ds []protocol.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s", code(d), message(d)))
	}
	slices.Sort(out)
	return out
}

// liveHeap is the size of the heap's live objects, after a full collection.
func liveHeap() int64 {
	// The workspace model's parse cache, bounded (2,048 parses), is not
	// what the soak looks for.
	workspace.DropParses()
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
