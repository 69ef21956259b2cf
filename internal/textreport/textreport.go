// Package textreport prints findings as people read them in a terminal,
// in the shape rustc, ruff and staticcheck made familiar:
//
//	modules/standard/ledger/service.go:54:18: MOD002 [error] exported method Sum has no ServiceMethod entry
//	   |
//	54 | func (t *Totals) Sum(ctx context.Context) (int64, error) {
//	   |                  ^^^
//	   = note: modules/standard/ledger/module.go:66:12: the service is registered here
//	   = help: [*] Add ServiceMethod entries
//
// The header is the clickable `path:line:col:` editors and terminals
// recognise, then the rule, the severity and the message. The source line
// follows with the finding's span underlined (a span over several lines
// shows its first line, underlined to its end); each related place is a
// `note:` line with its own clickable position; each fix is a `help:`
// line, marked `[*]` when `modls check --fix` applies it and `[~]` when
// only `--fix --unsafe-fixes` does. Colour, when asked for, is ANSI SGR.
//
// It knows the checker's findings and nothing of how they were found.
package textreport

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-isatty"
	"golang.org/x/text/width"

	"github.com/modls/modls/checker"
)

// Fix markers, in help lines and in statistics.
const (
	MarkSafe   = "[*]" // modls check --fix applies it
	MarkUnsafe = "[~]" // only modls check --fix --unsafe-fixes does
)

// tabWidth is how many columns a tab takes in a quoted source line.
const tabWidth = 4

// Printer prints findings.
type Printer struct {
	// Dir is the directory paths are shown relative to (when they lie
	// under it; otherwise they are absolute).
	Dir string
	// Color turns on ANSI colours.
	Color bool
	// ReadFile reads the source a finding quotes; nil means os.ReadFile.
	// A file that cannot be read is not quoted.
	ReadFile func(name string) ([]byte, error)

	files map[string][][]byte
}

// Path names a file as the header shows it: relative to Dir when it lies
// under it, otherwise absolute, slash-separated.
func (p *Printer) Path(name string) string {
	if !filepath.IsAbs(name) && p.Dir != "" {
		name = filepath.Join(p.Dir, name)
	}
	if p.Dir != "" {
		if r, err := filepath.Rel(p.Dir, name); err == nil && filepath.IsLocal(r) {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(name)
}

// Concise prints one line per finding: path:line:col: RULE message.
func (p *Printer) Concise(w io.Writer, diags []checker.Diagnostic) error {
	var b bytes.Buffer
	for _, d := range diags {
		fmt.Fprintf(&b, "%s %s %s\n", p.paint(bold, fmt.Sprintf("%s:%d:%d:", p.Path(d.File), d.Line, d.Column)), p.paint(sevColor(d.Severity), d.Rule), d.Message)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Full prints each finding with its source line, related places and
// fixes, a blank line after each.
func (p *Printer) Full(w io.Writer, diags []checker.Diagnostic) error {
	var b bytes.Buffer
	for _, d := range diags {
		p.finding(&b, d)
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (p *Printer) finding(b *bytes.Buffer, d checker.Diagnostic) {
	sc := sevColor(d.Severity)
	fmt.Fprintf(b, "%s %s %s %s\n",
		p.paint(bold, fmt.Sprintf("%s:%d:%d:", p.Path(d.File), d.Line, d.Column)),
		p.paint(sc+";1", d.Rule), p.paint(sc, "["+d.Severity+"]"), p.paint(bold, d.Message))
	gutter := len(strconv.Itoa(d.Line))
	pad := strings.Repeat(" ", gutter)
	if line, ok := p.line(d.File, d.Line); ok {
		endCol := d.EndColumn
		if d.EndLine > d.Line {
			endCol = len(line) + 1
		}
		text, under := underline(line, d.Column, endCol)
		fmt.Fprintf(b, "%s %s\n", pad, p.paint(blue, "|"))
		fmt.Fprintf(b, "%s %s %s\n", p.paint(blue, strconv.Itoa(d.Line)), p.paint(blue, "|"), text)
		fmt.Fprintf(b, "%s %s %s\n", pad, p.paint(blue, "|"), p.paint(sc+";1", under))
	}
	for _, r := range d.Related {
		fmt.Fprintf(b, "%s %s %s %s:%d:%d: %s\n", pad, p.paint(blue, "="), p.paint(bold, "note:"), p.Path(r.File), r.Line, r.Column, r.Message)
	}
	safe, unsafe := Applied(d)
	for i, f := range d.Fixes {
		mark := ""
		switch i {
		case safe:
			mark = p.paint(green, MarkSafe) + " "
		case unsafe:
			mark = p.paint(yellow, MarkUnsafe) + " "
		}
		fmt.Fprintf(b, "%s %s %s %s%s\n", pad, p.paint(blue, "="), p.paint(bold, "help:"), mark, f.Message)
	}
}

// Applied returns the index of the fix of d that --fix applies (or -1),
// and, when there is none, of the one --fix --unsafe-fixes applies: a
// finding's first safe fix with edits, else its first unsafe one.
func Applied(d checker.Diagnostic) (safe, unsafe int) {
	safe, unsafe = -1, -1
	for i, f := range d.Fixes {
		if len(f.Edits) == 0 {
			continue
		}
		if f.Safe {
			return i, -1
		}
		if unsafe < 0 {
			unsafe = i
		}
	}
	return -1, unsafe
}

// line returns line n (1-based) of a file, without its line ending.
func (p *Printer) line(name string, n int) ([]byte, bool) {
	if p.files == nil {
		p.files = map[string][][]byte{}
	}
	lines, ok := p.files[name]
	if !ok {
		read := p.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		if data, err := read(name); err == nil {
			lines = bytes.Split(data, []byte("\n"))
		}
		p.files[name] = lines
	}
	if n < 1 || n > len(lines) {
		return nil, false
	}
	return bytes.TrimSuffix(lines[n-1], []byte("\r")), true
}

// underline returns a source line as printed (tabs expanded, control
// characters shown as spaces) and the carets under the bytes from column
// start to column end (1-based byte columns, end exclusive): at least one
// caret, and one per terminal cell of the span.
func underline(line []byte, start, end int) (text, carets string) {
	start = min(max(start, 1), len(line)+1)
	end = min(max(end, start), len(line)+1)
	var out strings.Builder
	before, span := 0, 0
	col := 0
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		var cell string
		switch {
		case r == '\t':
			cell = strings.Repeat(" ", tabWidth-col%tabWidth)
		case r == utf8.RuneError && size == 1, unicode.IsControl(r):
			cell = " "
		default:
			cell = string(r)
		}
		w := cells(r, cell)
		out.WriteString(cell)
		switch {
		case i+1 < start:
			before += w
		case i+1 < end:
			span += w
		}
		col += w
		i += size
	}
	return strings.TrimRight(out.String(), " "), strings.Repeat(" ", before) + strings.Repeat("^", max(span, 1))
}

// cells is how many terminal cells a rune, printed as s, takes.
func cells(r rune, s string) int {
	if r == '\t' || len(s) == 0 || s == " " {
		return len(s)
	}
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u200b' || r == '\u200d' {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Fixable counts the findings --fix fixes and those only --unsafe-fixes
// fixes.
func Fixable(diags []checker.Diagnostic) (safe, unsafe int) {
	for _, d := range diags {
		s, u := Applied(d)
		switch {
		case s >= 0:
			safe++
		case u >= 0:
			unsafe++
		}
	}
	return safe, unsafe
}

// Summary prints the closing line: counts per severity, the packages
// checked and what --fix and --unsafe-fixes would fix.
func (p *Printer) Summary(w io.Writer, packages int, diags []checker.Diagnostic) error {
	if len(diags) == 0 {
		_, err := fmt.Fprintf(w, "modls: %s in %d packages\n", p.paint(green+";1", "no findings"), packages)
		return err
	}
	counts := checker.Counts(diags)
	var parts []string
	for _, s := range []string{"error", "warning", "info"} {
		if counts[s] > 0 {
			word := s + "s"
			if counts[s] == 1 || s == "info" {
				word = s
			}
			parts = append(parts, p.paint(sevColor(s)+";1", fmt.Sprintf("%d %s", counts[s], word)))
		}
	}
	fixes := ""
	switch safe, unsafe := Fixable(diags); {
	case safe > 0 && unsafe > 0:
		fixes = fmt.Sprintf("; %d fixable with --fix, %d more with --unsafe-fixes", safe, unsafe)
	case safe > 0:
		fixes = fmt.Sprintf("; %d fixable with --fix", safe)
	case unsafe > 0:
		fixes = fmt.Sprintf("; %d fixable with --fix --unsafe-fixes", unsafe)
	}
	_, err := fmt.Fprintf(w, "modls: %s in %d packages%s\n", strings.Join(parts, ", "), packages, fixes)
	return err
}

// RuleName names a rule ID for the statistics ("" when unknown).
type RuleName func(id string) string

// Statistics prints a line per rule: how many findings, the rule's ID, a
// fix marker ([*] when --fix fixes some of them, [~] when only
// --unsafe-fixes does) and its name; most frequent first.
func (p *Printer) Statistics(w io.Writer, diags []checker.Diagnostic, name RuleName) error {
	type row struct {
		rule         string
		n            int
		safe, unsafe bool
	}
	byRule := map[string]*row{}
	for _, d := range diags {
		r := byRule[d.Rule]
		if r == nil {
			r = &row{rule: d.Rule}
			byRule[d.Rule] = r
		}
		r.n++
		s, u := Applied(d)
		r.safe = r.safe || s >= 0
		r.unsafe = r.unsafe || u >= 0
	}
	rows := make([]*row, 0, len(byRule))
	for _, r := range byRule {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b *row) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.rule, b.rule)
	})
	nw, rw := 1, 1
	for _, r := range rows {
		nw = max(nw, len(strconv.Itoa(r.n)))
		rw = max(rw, len(r.rule))
	}
	var out bytes.Buffer
	for _, r := range rows {
		mark := "   "
		switch {
		case r.safe:
			mark = p.paint(green, MarkSafe)
		case r.unsafe:
			mark = p.paint(yellow, MarkUnsafe)
		}
		n := ""
		if name != nil {
			n = name(r.rule)
		}
		line := fmt.Sprintf("%*d  %s  %s %s", nw, r.n, p.paint(bold, fmt.Sprintf("%-*s", rw, r.rule)), mark, n)
		out.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := w.Write(out.Bytes())
	return err
}

// slowestPackages is how many packages --timings lists.
const slowestPackages = 5

// Timings prints where a check's time went: each phase, each analyzer
// (the rules by ID and name) and the slowest packages.
func (p *Printer) Timings(w io.Writer, t *checker.Timings, name RuleName) error {
	var b bytes.Buffer
	ms := func(d time.Duration) string { return fmt.Sprintf("%8.3fs", d.Seconds()) }
	fmt.Fprintf(&b, "%s %s wall clock\n", p.paint(bold, "modls: timings:"), strings.TrimSpace(ms(t.Wall())))
	notes := map[string]string{
		checker.PhaseLoad:      "the package listing, reading files, the workspace model, cache keys",
		checker.PhaseTypeCheck: "summed over the packages checked in parallel",
		checker.PhaseRules:     "summed over the packages checked in parallel",
		checker.PhaseCache:     "findings, facts and export data read and written",
	}
	rs := t.Rules()
	width := 11 // the names' column, as wide as the longest name
	for _, r := range rs {
		width = max(width, len(r.Name))
	}
	fmt.Fprintf(&b, "  %s\n", p.paint(bold, "phase"))
	for _, ph := range t.Phases() {
		fmt.Fprintf(&b, "    %-*s %s  %s\n", width, ph.Name, ms(ph.Duration), notes[ph.Name])
	}
	fmt.Fprintf(&b, "  %s\n", p.paint(bold, "rule"))
	if len(rs) == 0 {
		fmt.Fprintf(&b, "    none run: every package was answered from the cache\n")
	}
	for _, r := range rs {
		n := ""
		if name != nil {
			n = name(r.Name)
		}
		if n == "" {
			n = "(used by the rules)"
		}
		fmt.Fprintf(&b, "    %-*s %s  %s\n", width, r.Name, ms(r.Duration), n)
	}
	pkgs := t.Packages()
	fmt.Fprintf(&b, "  %s\n", p.paint(bold, "slowest packages"))
	if len(pkgs) == 0 {
		fmt.Fprintf(&b, "    none checked: every package was answered from the cache\n")
	}
	for _, pk := range pkgs[:min(len(pkgs), slowestPackages)] {
		fmt.Fprintf(&b, "    %s  %s\n", ms(pk.Duration), pk.Name)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// UseColor decides whether output to w is coloured: mode "always" and
// "never" decide alone; "auto" colours a terminal unless NO_COLOR is set
// to anything but "" (https://no-color.org).
func UseColor(mode string, w io.Writer, noColor string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		if noColor != "" {
			return false, nil
		}
		f, ok := w.(interface{ Fd() uintptr })
		return ok && isatty.IsTerminal(f.Fd()), nil
	}
	return false, fmt.Errorf("--color is auto, always or never, not %q", mode)
}

// SGR colours.
const (
	bold   = "1"
	red    = "31"
	green  = "32"
	yellow = "33"
	blue   = "34"
	cyan   = "36"
)

func sevColor(sev string) string {
	switch sev {
	case "error":
		return red
	case "warning":
		return yellow
	}
	return cyan
}

// paint wraps s in an SGR sequence when colour is on.
func (p *Printer) paint(sgr, s string) string {
	if !p.Color || s == "" {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}
