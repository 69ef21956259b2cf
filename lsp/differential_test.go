package lsp

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"

	"github.com/modls/modls/checker"
)

// diffModules are the modules of examples/violations the differential
// test edits: billing, and orders and shipping, which depend on each
// other's contracts in a cycle; between them findings of most rules.
var diffModules = []string{"billing", "orders", "shipping"}

// violationsFiles reads the files of some modules of examples/violations.
func violationsFiles(t testing.TB, modules []string) []txtar.File {
	t.Helper()
	root := filepath.Join("..", "examples", "violations")
	var out []txtar.File
	for _, m := range modules {
		err := filepath.WalkDir(filepath.Join(root, "modules", "standard", m), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, path)
			out = append(out, txtar.File{Name: filepath.ToSlash(rel), Data: data})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestDifferential sends a seeded random sequence of 1,000 edits to every
// file of three modules (Go files of six packages and their manifests) and
// checks, before the first edit and after every 250th, that once the
// server has caught up, what it published for each file equals what
// `modls check` (checker.Check) finds in the same texts. The editor builds
// its edits and reads the published ranges with conversions of its own
// (clientpos_test.go), in UTF-16 and in UTF-8. Published versions never
// go backwards on the way.
func TestDifferential(t *testing.T) {
	t.Parallel()
	seed := testSeed(t)
	files := violationsFiles(t, diffModules)
	for _, enc := range []encoding{utf16, utf8Enc} {
		t.Run(enc.String(), func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, "example.com/violations", files)
			e := newEditor(t, dir, editorConfig{utf8: enc == utf8Enc}, Options{}, nil)
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
				e.open(f.Name)
			}
			// modls check as a user runs it: with a cache of its own.
			cache, err := checker.OpenCache(cacheCopy(t))
			if err != nil {
				t.Fatal(err)
			}
			defer cache.Close()
			d := &differential{t: t, e: e, dir: dir, files: names, seed: seed, cache: cache}
			d.compare("before the edits")
			g := &editGenerator{r: rand.New(rand.NewSource(seed)), stash: map[string][]string{}}
			const edits, every = 1000, 250
			kinds := map[string]int{}
			for i := 1; i <= edits; i++ {
				ed := g.next(names, e.text)
				kinds[ed.kind]++
				e.change(ed.file, ed.start, ed.end, ed.text)
				if i%every == 0 {
					for g.pending != nil {
						ed := g.next(names, e.text)
						e.change(ed.file, ed.start, ed.end, ed.text)
					}
					d.compare(fmt.Sprintf("after %d edits", i))
				}
			}
			e.mu.Lock()
			backwards := e.backwards
			e.mu.Unlock()
			if len(backwards) > 0 {
				t.Errorf("published versions went backwards (seed %d): %q", seed, backwards)
			}
			t.Logf("edits: %v; findings compared: %v", kinds, d.counts)
		})
	}
}

// differential compares the server's publications with checker.Check.
type differential struct {
	t      *testing.T
	e      *editor
	dir    string
	files  []string
	seed   int64
	cache  *checker.Cache
	counts []int // findings compared at each comparison
}

func (d *differential) compare(when string) {
	t, e := d.t, d.e
	t.Helper()
	start := time.Now()
	e.settle()
	settled := time.Since(start)
	overlay := map[string][]byte{}
	texts := map[string]string{}
	for _, f := range d.files {
		texts[f] = e.text(f)
		overlay[e.path(f)] = []byte(texts[f])
	}
	res, err := checker.Check(context.Background(), checker.Options{Dir: d.dir, Overlay: overlay, Cache: d.cache})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: settled in %v, checked in %v", when, settled.Round(time.Millisecond), (time.Since(start) - settled).Round(time.Millisecond))
	byFile := map[string][]checker.Diagnostic{}
	for _, cd := range res.Diagnostics {
		byFile[cd.File] = append(byFile[cd.File], cd)
	}
	var report strings.Builder
	n := 0
	for _, f := range d.files {
		path := e.path(f)
		e.mu.Lock()
		p := e.diags[path]
		version := e.docs[path].version
		e.mu.Unlock()
		if p == nil {
			fmt.Fprintf(&report, "%s: nothing published\n", f)
			continue
		}
		if v, ok := p.Version.Get(); !ok || v != version {
			fmt.Fprintf(&report, "%s: the last publication is of version %d, the buffer's is %d\n", f, v, version)
			continue
		}
		got, err := d.published(texts, f, p.Diagnostics)
		if err != nil {
			fmt.Fprintf(&report, "%s: %v\n", f, err)
			continue
		}
		want := expected(d.dir, texts, f, byFile[path])
		n += len(want)
		if !slices.Equal(got, want) {
			fmt.Fprintf(&report, "%s: the server published\n%smodls check finds\n%sin\n%s\n", f, lines(got), lines(want), numbered(texts[f]))
		}
	}
	if report.Len() > 0 {
		t.Fatalf("%s (seed %d; MODLS_TEST_SEED=%d repeats it):\n%s", when, d.seed, d.seed, report.String())
	}
	d.counts = append(d.counts, n)
}

// published converts a file's published diagnostics to findings, reading
// positions with the editor's own conversion.
func (d *differential) published(texts map[string]string, file string, ds []protocol.Diagnostic) ([]string, error) {
	enc := d.e.enc()
	var out []string
	for _, pd := range ds {
		if source(pd) != "modls" {
			continue
		}
		start, err := clientOffset(texts[file], pd.Range.Start, enc)
		if err != nil {
			return nil, fmt.Errorf("%s %q: start: %v", code(pd), message(pd), err)
		}
		end, err := clientOffset(texts[file], pd.Range.End, enc)
		if err != nil {
			return nil, fmt.Errorf("%s %q: end: %v", code(pd), message(pd), err)
		}
		sev := map[protocol.DiagnosticSeverity]string{1: "error", 2: "warning", 3: "info"}[pd.Severity]
		f := fmt.Sprintf("%s-%s %s %s %s", goPos(texts[file], start), goPos(texts[file], end), sev, code(pd), message(pd))
		for _, r := range pd.RelatedInformation {
			path, err := pathOf(r.Location.URI)
			if err != nil {
				return nil, err
			}
			rel, err := filepath.Rel(d.dir, path)
			if err != nil {
				return nil, err
			}
			rel = filepath.ToSlash(rel)
			text, ok := texts[rel]
			if !ok {
				data, err := os.ReadFile(path)
				if err != nil {
					return nil, fmt.Errorf("related information in %s: %v", rel, err)
				}
				text = string(data)
			}
			off, err := clientOffset(text, r.Location.Range.Start, enc)
			if err != nil {
				return nil, fmt.Errorf("related information in %s: %v", rel, err)
			}
			f += fmt.Sprintf("\n      related %s:%s %s", rel, goPos(text, off), r.Message)
		}
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}

// expected converts the checker's findings in a file as the server must
// show them: positions clamped to the text.
func expected(dir string, texts map[string]string, file string, ds []checker.Diagnostic) []string {
	text := texts[file]
	var out []string
	for _, cd := range ds {
		start := goOffsetOf(text, cd.Line, cd.Column)
		end := start
		if cd.EndLine > 0 {
			end = max(goOffsetOf(text, cd.EndLine, cd.EndColumn), start)
		}
		f := fmt.Sprintf("%s-%s %s %s %s", goPos(text, start), goPos(text, end), cd.Severity, cd.Rule, cd.Message)
		for _, r := range cd.Related {
			rel, _ := filepath.Rel(dir, r.File)
			rel = filepath.ToSlash(rel)
			rtext, ok := texts[rel]
			if !ok {
				data, _ := os.ReadFile(r.File)
				rtext = string(data)
			}
			f += fmt.Sprintf("\n      related %s:%s %s", rel, goPos(rtext, goOffsetOf(rtext, r.Line, r.Column)), r.Message)
		}
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// goOffsetOf is the byte offset of a Go position (1-based line, 1-based
// byte column), clamped to its line and to the text.
func goOffsetOf(text string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	end := len(text)
	if i := strings.IndexByte(text[off:], '\n'); i >= 0 {
		end = off + i
	}
	return min(off+max(col, 1)-1, end)
}

// goPos is the Go position (line:column, both 1-based, column in bytes)
// of a byte offset.
func goPos(text string, off int) string {
	line := 1 + strings.Count(text[:off], "\n")
	col := off - (strings.LastIndexByte(text[:off], '\n') + 1) + 1
	return fmt.Sprintf("%d:%d", line, col)
}

func lines(fs []string) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	return b.String()
}

func numbered(text string) string {
	var b strings.Builder
	for i, l := range strings.Split(text, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// editGenerator makes random edits of a module's files that keep them
// mostly valid, so that the texts compared are checked by every rule:
// declarations inserted and deleted at the top level, original
// declarations cut and pasted back, names and values changed in pairs,
// manifest values replaced, and noise that breaks the syntax for one
// edit, taken out by the next.
type editGenerator struct {
	r *rand.Rand
	// pending is the noise to take out next.
	pending *edit
	// stash holds declarations cut from each file, to paste back.
	stash map[string][]string
}

// edit replaces text[start:end] of file.
type edit struct {
	file       string
	start, end int
	text       string
	kind       string
}

// Declarations inserted at the top level of Go files: for a module's
// package, its contract package and its tests. Some are findings, some
// suppress one, several put non-ASCII before a finding on its line.
var (
	moduleDecls = []string{
		"func (s *Service) Lend(n int) (string, error) { return \"\", nil }\n",
		"/* ñ😀 */ func (s *Service) Trade(n int) error { return nil }\n",
		"func (s *Service) Swap(n int) error { return nil } //modls:ignore MOD002 kept for the old API\n",
		"func (s *Service) Halt(n int) error { panic(\"ü😀\") }\n",
		"func (s *Service) quiet() {}\n",
		"//modls:ignore MOD011\n",
		"// ñ😀 über\n",
		"var _ = \"😀\" + \"ñ\"\n",
	}
	contractDecls = []string{
		"type Extra interface{ Do(n int) error }\n",
		"type Ünit struct{ N int `json:\"n\"` }\n",
		"func Helper() int { return 1 }\n",
		"// ñ😀 über\n",
	}
	testDecls = []string{
		"func TestRefundRef(t *testing.T) { _ = (*Service).Refund }\n",
		"func TestServiceRef(t *testing.T) { _ = new(Service) }\n",
		"func helperÜ() {}\n",
		"// ñ😀 über\n",
	}
)

// renames are changed one way or the other where found: method names,
// documented types and returns, service names, SQL, a contract's
// signature that another module implements and a third calls through.
var renames = [][2]string{
	{") Refund(", ") Rebate("},
	{") Summary(", ") summary("},
	{") Place(", ") place("},
	{`Returns: "error"`, `Returns: "(bool, error)"`},
	{`Type: "int64"`, `Type: "string"`},
	{`"billing.invoices"`, `"billing.invoice"`},
	{`"shipping.quotes"`, `"shipping.quote"`},
	{`Name:        "Void"`, `Name:        "Refund"`},
	{"FROM billing_invoices WHERE paid = 0`", "FROM billing_invoice WHERE paid = 0`"},
	{"Quote(ctx context.Context, grams int)", "Quote(ctx context.Context, grams int64)"},
	{"Currency  string", "Currency  int   "},
}

// manifestValues are the values a manifest key takes in turn.
var manifestValues = map[string][]string{
	"version":      {`"1.4.0"`, `"1.0"`, `"2.1.3"`, `"v1"`},
	"description":  {`"Issues invoices."`, `"ñ😀 über"`, `""`},
	"features":     {`[]`, `["api", "database", "settings"]`, `["cache"]`, `["api"]`},
	"dependencies": {`[]`, `["standard.shipping"]`, `["standard.orders"]`, `["standard.billing", "standard.nothere"]`},
	"services":     {`["billing.invoices"]`, `["orders.service"]`, `["shipping.quotes"]`, `[]`, `["ñ😀", "billing.x y"]`},
}

// noise breaks the syntax of Go or JSON for one edit.
var noise = []string{"{", "(", "😀", "ñ", "func ", "x", `"`, "}", "e\u0301", "\t", "[", ","}

func (g *editGenerator) next(files []string, text func(string) string) edit {
	if p := g.pending; p != nil {
		g.pending = nil
		return *p
	}
	file := g.pick(files)
	t := text(file)
	if g.r.Intn(8) == 0 {
		return g.noise(file, t)
	}
	if strings.HasSuffix(file, ".json") {
		if e, ok := g.manifestEdit(file, t); ok {
			return e
		}
		return g.noise(file, t)
	}
	for {
		if e, ok := g.goEdit(file, t); ok {
			return e
		}
	}
}

// pick chooses a file to edit: a file of a module's package twelve times
// as often as a contract, whose every edit starts the dependencies over
// (a contract still takes some twenty edits), and a manifest, whose every
// edit re-checks every module, in between.
func (g *editGenerator) pick(files []string) string {
	weight := func(f string) int {
		switch {
		case strings.Contains(f, "/contract/"):
			return 1
		case strings.HasSuffix(f, ".json"):
			return 6
		}
		return 12
	}
	total := 0
	for _, f := range files {
		total += weight(f)
	}
	n := g.r.Intn(total)
	for _, f := range files {
		if n -= weight(f); n < 0 {
			return f
		}
	}
	return files[len(files)-1]
}

func (g *editGenerator) noise(file, t string) edit {
	at := g.r.Intn(len(t) + 1)
	for at < len(t) && !utf8.RuneStart(t[at]) {
		at++
	}
	n := noise[g.r.Intn(len(noise))]
	g.pending = &edit{file: file, start: at, end: at + len(n), kind: "noise out"}
	return edit{file: file, start: at, end: at, text: n, kind: "noise"}
}

func (g *editGenerator) goEdit(file, t string) (edit, bool) {
	pool := moduleDecls
	switch {
	case strings.HasSuffix(file, "_test.go"):
		pool = testDecls
	case strings.Contains(file, "/contract/"):
		pool = contractDecls
	}
	starts := topLevel(t)
	insert := func(decl, kind string) (edit, bool) {
		at := starts[g.r.Intn(len(starts))]
		if at == len(t) && !strings.HasSuffix(t, "\n") {
			decl = "\n" + decl
		}
		return edit{file: file, start: at, end: at, text: decl, kind: kind}, true
	}
	switch n := g.r.Intn(15); {
	case n < 6:
		return insert(pool[g.r.Intn(len(pool))], "insert")
	case n < 9: // delete an inserted declaration
		var found [][2]int
		for _, decl := range pool {
			for i := 0; ; {
				j := strings.Index(t[i:], decl)
				if j < 0 {
					break
				}
				if at := i + j; at == 0 || t[at-1] == '\n' {
					found = append(found, [2]int{at, at + len(decl)})
				}
				i += j + 1
			}
		}
		if len(found) == 0 {
			return insert(pool[g.r.Intn(len(pool))], "insert")
		}
		f := found[g.r.Intn(len(found))]
		return edit{file: file, start: f[0], end: f[1], kind: "delete"}, true
	case n < 12:
		var can []edit
		for _, pair := range renames {
			for k, from := range pair {
				if i := strings.Index(t, from); i >= 0 {
					can = append(can, edit{file: file, start: i, end: i + len(from), text: pair[1-k], kind: "rename"})
					break
				}
			}
		}
		if len(can) == 0 {
			return edit{}, false
		}
		return can[g.r.Intn(len(can))], true
	case n < 13: // cut an original declaration
		if len(g.stash[file]) >= 2 {
			return edit{}, false
		}
		decls := declarations(t)
		if len(decls) == 0 {
			return edit{}, false
		}
		d := decls[g.r.Intn(len(decls))]
		g.stash[file] = append(g.stash[file], t[d[0]:d[1]])
		return edit{file: file, start: d[0], end: d[1], kind: "cut"}, true
	default: // paste one back
		s := g.stash[file]
		if len(s) == 0 {
			return edit{}, false
		}
		i := g.r.Intn(len(s))
		decl := s[i]
		g.stash[file] = append(s[:i:i], s[i+1:]...)
		return insert(decl, "paste")
	}
}

// topLevel lists the offsets where a top-level declaration may be
// inserted: the starts of the lines that begin a declaration or a comment
// at the top level after the imports, and the end of the text.
func topLevel(t string) []int {
	var out []int
	seen := false
	for off := 0; off < len(t); {
		line := t[off:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		decl := false
		for _, kw := range []string{"func ", "type ", "var ", "const "} {
			decl = decl || strings.HasPrefix(line, kw)
		}
		seen = seen || decl
		if seen && (decl || strings.HasPrefix(line, "//")) {
			out = append(out, off)
		}
		off += len(line)
	}
	return append(out, len(t))
}

// declarations lists the byte ranges of the top-level declarations that
// start a line (func, type, var, const), each with its line ending:
// one line, or up to the line that closes it at the top level.
func declarations(t string) [][2]int {
	var out [][2]int
	for off := 0; off < len(t); {
		end := len(t)
		if i := strings.IndexByte(t[off:], '\n'); i >= 0 {
			end = off + i + 1
		}
		line := strings.TrimRight(t[off:end], "\n")
		isDecl := false
		for _, kw := range []string{"func ", "type ", "var ", "const "} {
			isDecl = isDecl || strings.HasPrefix(line, kw)
		}
		if !isDecl {
			off = end
			continue
		}
		stop := end
		if strings.HasSuffix(line, "{") || strings.HasSuffix(line, "(") {
			closer := "}"
			if strings.HasSuffix(line, "(") {
				closer = ")"
			}
			stop = -1
			for p := end; p < len(t); {
				e := len(t)
				if i := strings.IndexByte(t[p:], '\n'); i >= 0 {
					e = p + i + 1
				}
				if strings.HasPrefix(t[p:e], closer) {
					stop = e
					break
				}
				p = e
			}
			if stop < 0 {
				off = end
				continue
			}
		}
		out = append(out, [2]int{off, stop})
		off = stop
	}
	return out
}

func (g *editGenerator) manifestEdit(file, t string) (edit, bool) {
	keys := []string{"name", "version", "description", "features", "dependencies", "services"}
	key := keys[g.r.Intn(len(keys))]
	values := manifestValues[key]
	if key == "name" {
		module := filepath.Base(filepath.Dir(file))
		values = []string{`"standard.` + module + `"`, `"standard.other"`, `"standard.` + module + `x"`}
	}
	i := strings.Index(t, `"`+key+`":`)
	if i < 0 {
		return edit{}, false
	}
	start := i + len(key) + 3
	for start < len(t) && t[start] == ' ' {
		start++
	}
	end := -1
	switch {
	case start < len(t) && t[start] == '"':
		if j := strings.IndexByte(t[start+1:], '"'); j >= 0 {
			end = start + 1 + j + 1
		}
	case start < len(t) && t[start] == '[':
		if j := strings.IndexByte(t[start:], ']'); j >= 0 {
			end = start + j + 1
		}
	}
	if end < 0 {
		return edit{}, false
	}
	return edit{file: file, start: start, end: end, text: values[g.r.Intn(len(values))], kind: "manifest"}, true
}
