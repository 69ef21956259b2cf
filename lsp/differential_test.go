package lsp

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"

	"github.com/modls/modls/checker"
)

// shopFiles is a small module for the long-running tests.
func shopFiles(t *testing.T) []txtar.File {
	ar, err := txtar.ParseFile("testdata/quickfix.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var out []txtar.File
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "modules/") {
			out = append(out, f)
		}
	}
	return out
}

// declarations are what the random edits insert, each a line: methods
// the rules flag or not, suppressions, multi-byte comments.
var declarations = []string{
	"func (s *Service) Sell(ctx context.Context) error { return nil }\n",
	"func (s *Service) Lend(ctx context.Context, n int) (string, error) { return \"\", nil }\n",
	"func (s *Service) Trade(ctx context.Context) error { return nil } //modls:ignore MOD002 kept for the old API\n",
	"func (s *Service) quiet() {}\n",
	"// ñ😀 über\n",
	"//modls:ignore MOD011\n",
	"\n",
}

// noise breaks the syntax for one edit; the next edit takes it out.
var noise = []string{"{", "(", "😀", "ñ", "func ", "x"}

// editSequence produces random edits that keep the file mostly valid Go:
// whole declarations are inserted and deleted at line boundaries, methods
// renamed, and noise that breaks the syntax is inserted and removed by the
// next edit, so that the final text is checked by every rule.
type editSequence struct {
	r     *rand.Rand
	noise [2]int // the byte range of noise to remove next; [0,0] when none
	dirty bool
}

func (q *editSequence) next(text string) (start, end int, newText string) {
	if q.dirty {
		q.dirty = false
		return q.noise[0], q.noise[1], ""
	}
	header := strings.Index(text, "type Service")
	if header < 0 {
		header = len(text)
	}
	lineStarts := []int{}
	for i := header; i < len(text); i++ {
		if i == header || text[i-1] == '\n' {
			lineStarts = append(lineStarts, i)
		}
	}
	lineStarts = append(lineStarts, len(text))
	switch n := q.r.Intn(10); {
	case n < 4: // insert a declaration
		at := lineStarts[q.r.Intn(len(lineStarts))]
		if at == len(text) && len(text) > 0 && text[len(text)-1] != '\n' {
			return at, at, "\n" + declarations[q.r.Intn(len(declarations))]
		}
		return at, at, declarations[q.r.Intn(len(declarations))]
	case n < 7: // delete a line after the type
		if len(lineStarts) > 3 {
			i := 1 + q.r.Intn(len(lineStarts)-2)
			return lineStarts[i], lineStarts[i+1], ""
		}
		return 0, 0, ""
	case n < 8: // rename a method
		for _, pair := range [][2]string{{"Sell(", "sell("}, {"sell(", "Sell("}, {"Lend(", "Borrow("}, {"Borrow(", "Lend("}} {
			if i := strings.Index(text, ") "+pair[0]); i >= 0 {
				return i + 2, i + 2 + len(pair[0]), pair[1]
			}
		}
		return 0, 0, ""
	default: // noise, taken out by the next edit
		at := q.r.Intn(len(text) + 1)
		for at < len(text) && !utf8.RuneStart(text[at]) {
			at++
		}
		n := noise[q.r.Intn(len(noise))]
		q.noise, q.dirty = [2]int{at, at + len(n)}, true
		return at, at, n
	}
}

// finding is a diagnostic compared between the server and the checker:
// Go positions (1-based lines, byte columns).
type finding struct {
	rule, severity, message    string
	line, col, endLine, endCol int
}

func (f finding) String() string {
	return fmt.Sprintf("%d:%d-%d:%d %s %s %s", f.line, f.col, f.endLine, f.endCol, f.severity, f.rule, f.message)
}

// fromPublished converts published diagnostics back to Go positions.
func fromPublished(text []byte, ds []protocol.Diagnostic, enc encoding) []finding {
	m := newMapper(text)
	var out []finding
	for _, d := range ds {
		if source(d) != "modls" {
			continue
		}
		s := m.offset(d.Range.Start.Line, d.Range.Start.Character, enc)
		e := m.offset(d.Range.End.Line, d.Range.End.Character, enc)
		sl, sc := goLineCol(text, s)
		el, ec := goLineCol(text, e)
		sev := map[protocol.DiagnosticSeverity]string{1: "error", 2: "warning", 3: "info"}[d.Severity]
		out = append(out, finding{code(d), sev, message(d), sl, sc, el, ec})
	}
	sortFindings(out)
	return out
}

// fromChecker converts the checker's diagnostics, clamped as the server
// clamps positions to the text.
func fromChecker(text []byte, ds []checker.Diagnostic) []finding {
	var out []finding
	for _, d := range ds {
		s := goOffset(text, d.Line, d.Column)
		e := s
		if d.EndLine > 0 {
			e = max(goOffset(text, d.EndLine, d.EndColumn), s)
		}
		sl, sc := goLineCol(text, s)
		el, ec := goLineCol(text, e)
		out = append(out, finding{d.Rule, d.Severity, d.Message, sl, sc, el, ec})
	}
	sortFindings(out)
	return out
}

func goLineCol(text []byte, off int) (int, int) {
	line, col := 1, 1
	for i := 0; i < off && i < len(text); i++ {
		if text[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func sortFindings(fs []finding) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].String() < fs[j].String() })
}

// TestDifferential sends a seeded random sequence of 1,000 edits to a
// module file and checks that, once the server has caught up, what it
// published equals what `modls check` (checker.Check) finds in the same
// text. Published versions never go backwards on the way.
func TestDifferential(t *testing.T) {
	for _, enc := range []encoding{utf16, utf8Enc} {
		t.Run(enc.String(), func(t *testing.T) {
			t.Parallel()
			seed := time.Now().UnixNano()
			if s := os.Getenv("MODLS_DIFF_SEED"); s != "" {
				fmt.Sscan(s, &seed)
			}
			t.Logf("seed %d (MODLS_DIFF_SEED=%d reproduces)", seed, seed)
			r := rand.New(rand.NewSource(seed))
			dir := writeWorkspace(t, shopFiles(t))
			e := newEditor(t, dir, editorConfig{utf8: enc == utf8Enc}, Options{}, nil)
			const file = "modules/standard/shop/service.go"
			e.open(file)
			e.diagnostics(file)
			var versions []int32
			q := &editSequence{r: r}
			for i := 0; i < 1000 || q.dirty; i++ {
				start, end, text := q.next(e.text(file))
				e.change(file, start, end, text)
				if i%100 == 0 {
					e.mu.Lock()
					if p := e.diags[e.path(file)]; p != nil {
						v, _ := p.Version.Get()
						versions = append(versions, v)
					}
					e.mu.Unlock()
				}
			}
			final := []byte(e.text(file))
			ds := e.diagnostics(file)
			versions = append(versions, e.version(file))
			if !sort.SliceIsSorted(versions, func(i, j int) bool { return versions[i] < versions[j] }) {
				t.Errorf("published versions went backwards: %v", versions)
			}
			res, err := checker.Check(context.Background(), checker.Options{Dir: dir, Overlay: map[string][]byte{e.path(file): final}})
			if err != nil {
				t.Fatal(err)
			}
			var want []checker.Diagnostic
			for _, d := range res.Diagnostics {
				if d.File == e.path(file) {
					want = append(want, d)
				}
			}
			got, wantF := fromPublished(final, ds, enc), fromChecker(final, want)
			if fmt.Sprint(got) != fmt.Sprint(wantF) {
				t.Fatalf("after 1000 edits (seed %d) the server published\n%s\nmodls check finds\n%s\nin\n%s", seed, lines(got), lines(wantF), final)
			}
			rules := 0
			for _, f := range got {
				if strings.HasPrefix(f.rule, "MOD") {
					rules++
				}
			}
			t.Logf("%d findings (%d of rules) agree after 1000 edits", len(got), rules)
		})
	}
}

func lines(fs []finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	return b.String()
}

// TestSoak sends 10,000 edits and checks that the server survives them
// without leaking goroutines or memory.
func TestSoak(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	e.diagnostics(file)
	// Warm up: a first round of edits and the checks they cause.
	e.replace(file, "type Service struct{}", "type Service struct{} // ñ")
	e.diagnostics(file)
	before := runtime.NumGoroutine()
	heapBefore := heapInuse()
	anchor := strings.Index(e.text(file), "// ñ") + len("// ñ")
	for i := 0; i < 10000; i++ {
		if i%2 == 0 {
			e.change(file, anchor, anchor, "😀")
		} else {
			e.change(file, anchor, anchor+len("😀"), "")
		}
		if i%1000 == 999 {
			// Requests interleave with the edits.
			e.codeActions(file, protocol.Range{})
			e.codeLenses(file)
		}
	}
	ds := e.diagnostics(file)
	if len(ds) == 0 {
		t.Fatal("no diagnostics after the soak")
	}
	if err := e.srv.sched.waitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var after int
	deadline := time.Now().Add(10 * time.Second)
	for {
		after = runtime.NumGoroutine()
		if after <= before+2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // goroutines of finished requests unwinding
	}
	if after > before+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines grew from %d to %d:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	heapAfter := heapInuse()
	t.Logf("10000 edits: goroutines %d → %d, heap in use %d → %d MiB", before, after, heapBefore>>20, heapAfter>>20)
	if heapAfter > heapBefore+64<<20 {
		t.Fatalf("heap in use grew from %d to %d MiB", heapBefore>>20, heapAfter>>20)
	}
}

func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
