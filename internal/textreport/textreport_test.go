package textreport

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/checker"
)

func TestUnderline(t *testing.T) {
	for _, tc := range []struct {
		name        string
		line        string
		start, end  int
		text, caret string
	}{
		{"plain", "x := f(a, b)", 6, 13, "x := f(a, b)", "     ^^^^^^^"},
		{"tab indent", "\treturn nil", 2, 8, "    return nil", "    ^^^^^^"},
		{"tab after text", "a\tb", 3, 4, "a   b", "    ^"},
		{"two tabs", "\t\tx", 3, 4, "        x", "        ^"},
		{"multi-byte before", `s := "é" + x`, 13, 14, `s := "é" + x`, "           ^"},
		{"multi-byte span", `f("héllo")`, 3, 11, `f("héllo")`, "  ^^^^^^^"},
		{"wide characters", `f("日本", x)`, 13, 14, `f("日本", x)`, "          ^"},
		{"wide span", `f("日本")`, 4, 10, `f("日本")`, "   ^^^^"},
		{"empty span", "abc", 2, 2, "abc", " ^"},
		{"at end of line", "abc", 4, 4, "abc", "   ^"},
		{"past the end", "abc", 9, 12, "abc", "   ^"},
		{"end before start", "abcdef", 4, 2, "abcdef", "   ^"},
		{"control character", "a\x01b", 3, 4, "a b", "  ^"},
		{"invalid UTF-8", "a\xffb", 3, 4, "a b", "  ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, caret := underline([]byte(tc.line), tc.start, tc.end)
			if text != tc.text || caret != tc.caret {
				t.Errorf("underline(%q, %d, %d):\n got %q\n     %q\nwant %q\n     %q", tc.line, tc.start, tc.end, text, caret, tc.text, tc.caret)
			}
		})
	}
}

// TestFull prints findings on a file on disk: CRLF endings, a span over
// several lines, related places and fixes of each kind.
func TestFull(t *testing.T) {
	dir := t.TempDir()
	src := "package p\r\n\r\nfunc F() {\r\n\tg(1,\r\n\t\t2)\r\n}\r\n"
	file := filepath.Join(dir, "a", "p.go")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "q.go")
	edit := []checker.TextEdit{{File: file}}
	diags := []checker.Diagnostic{
		{Rule: "MOD005", Severity: "error", File: file, Line: 4, Column: 2, EndLine: 5, EndColumn: 5, Message: "database write outside an IntegritySession",
			Related: []checker.Place{{File: file, Line: 3, Column: 6, Message: "the function"}, {File: outside, Line: 9, Column: 1, Message: "elsewhere"}},
			Fixes:   []checker.Fix{{Message: "Wrap in an IntegritySession", Safe: false, Edits: edit}, {Message: "Explain why", Safe: true}}},
		{Rule: "MOD002", Severity: "warning", File: file, Line: 3, Column: 6, EndLine: 3, EndColumn: 7, Message: "exported method F has no ServiceMethod entry",
			Fixes: []checker.Fix{{Message: "Add ServiceMethod entries", Safe: true, Edits: edit}, {Message: "Add the other way", Safe: true, Edits: edit}}},
		{Rule: "MOD012", Severity: "info", File: filepath.Join(dir, "gone.json"), Line: 2, Column: 1, EndLine: 2, EndColumn: 1, Message: "a file that is not there"},
	}
	p := &Printer{Dir: dir}
	var b bytes.Buffer
	if err := p.Full(&b, diags); err != nil {
		t.Fatal(err)
	}
	want := `a/p.go:4:2: MOD005 [error] database write outside an IntegritySession
  |
4 |     g(1,
  |     ^^^^
  = note: a/p.go:3:6: the function
  = note: ` + filepath.ToSlash(outside) + `:9:1: elsewhere
  = help: [~] Wrap in an IntegritySession
  = help: Explain why

a/p.go:3:6: MOD002 [warning] exported method F has no ServiceMethod entry
  |
3 | func F() {
  |      ^
  = help: [*] Add ServiceMethod entries
  = help: Add the other way

gone.json:2:1: MOD012 [info] a file that is not there

`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	if safe, unsafe := Fixable(diags); safe != 1 || unsafe != 1 {
		t.Errorf("Fixable = %d, %d; want 1, 1", safe, unsafe)
	}
	// Colour wraps the parts in SGR sequences and changes nothing else.
	p = &Printer{Dir: dir, Color: true}
	b.Reset()
	p.Full(&b, diags[1:2])
	got := b.String()
	if !strings.Contains(got, "\x1b[33;1mMOD002\x1b[0m \x1b[33m[warning]\x1b[0m") || !strings.Contains(got, "\x1b[32m[*]\x1b[0m") {
		t.Errorf("coloured output lacks the severity's colour or the fix mark:\n%q", got)
	}
	if plain := stripSGR(got); plain != strings.SplitAfterN(want, "\n\n", 3)[1] {
		t.Errorf("coloured output without its colours:\n%s", plain)
	}
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestPath(t *testing.T) {
	p := &Printer{Dir: "/work/app"}
	for in, want := range map[string]string{
		"/work/app/modules/a.go": "modules/a.go",
		"/work/other/b.go":       "/work/other/b.go",
		"/work/app":              ".",
		"/work/application/d.go": "/work/application/d.go",
		"modules/c.go":           "modules/c.go",
	} {
		if got := p.Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatistics(t *testing.T) {
	edit := []checker.TextEdit{{File: "f"}}
	d := func(rule string, fixes ...checker.Fix) checker.Diagnostic {
		return checker.Diagnostic{Rule: rule, Severity: "error", Fixes: fixes}
	}
	diags := []checker.Diagnostic{
		d("MOD006"), d("MOD006"), d("MOD006"),
		d("MOD005", checker.Fix{Message: "wrap", Edits: edit}), d("MOD005"),
		d("MOD002", checker.Fix{Message: "add", Safe: true, Edits: edit}),
		d("compile"),
	}
	var b bytes.Buffer
	p := &Printer{}
	names := map[string]string{"MOD006": "sql-invalid", "MOD005": "db-outside-session", "MOD002": "service-docs-missing"}
	if err := p.Statistics(&b, diags, func(id string) string { return names[id] }); err != nil {
		t.Fatal(err)
	}
	want := `3  MOD006       sql-invalid
2  MOD005   [~] db-outside-session
1  MOD002   [*] service-docs-missing
1  compile
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSummary(t *testing.T) {
	edit := []checker.TextEdit{{File: "f"}}
	diags := []checker.Diagnostic{
		{Severity: "error", Fixes: []checker.Fix{{Safe: true, Edits: edit}}},
		{Severity: "error", Fixes: []checker.Fix{{Edits: edit}}},
		{Severity: "warning"},
		{Severity: "info"}, {Severity: "info"},
	}
	var b bytes.Buffer
	p := &Printer{}
	p.Summary(&b, 4, diags)
	p.Summary(&b, 4, diags[2:])
	p.Summary(&b, 4, nil)
	want := "modls: 2 errors, 1 warning, 2 info in 4 packages; 1 fixable with --fix, 1 more with --unsafe-fixes\n" +
		"modls: 1 warning, 2 info in 4 packages\n" +
		"modls: no findings in 4 packages\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestUseColor(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		mode, noColor string
		want          bool
	}{
		{"always", "", true},
		{"always", "1", true},
		{"never", "", false},
		{"auto", "", false}, // a buffer is no terminal
		{"auto", "1", false},
	} {
		if got, err := UseColor(tc.mode, &buf, tc.noColor); err != nil || got != tc.want {
			t.Errorf("UseColor(%q, buffer, NO_COLOR=%q) = %v, %v; want %v", tc.mode, tc.noColor, got, err, tc.want)
		}
	}
	if _, err := UseColor("sometimes", &buf, ""); err == nil || !strings.Contains(err.Error(), `"sometimes"`) {
		t.Errorf("an unknown mode: %v", err)
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := UseColor("auto", f, ""); got {
		t.Errorf("%s, a character device but no terminal, is coloured", os.DevNull)
	}
}
