package lsp

import (
	"context"
	"os"
	"slices"
	"sort"

	"github.com/modls/modls/checker"
)

// A check publishes in two steps. Once the package is type-checked (its
// own files first, then with its tests), and before the rules run on it,
// each open file of the package whose syntax and type errors differ from
// those its editor shows gets them at once (publishCompiled), beside the
// rules' findings of its last recorded check, moved to where their text
// now is: a finding on text the edits since changed waits for the check's
// end. When the rules have run, the
// check's results replace that publication. A type error thus shows as
// soon as the type checker finds it, and the rules' findings do not
// flicker meanwhile.

// publishCompiled publishes the compile findings of a package just
// type-checked, as described above; ctx is the check's.
func (s *Server) publishCompiled(ctx context.Context, compiled checker.Diagnostics) {
	if !s.showCompileErrors() {
		return
	}
	var files []string
	s.mu.Lock()
	if ctx.Err() != nil || s.caps.pull {
		s.mu.Unlock()
		return
	}
	for file, cds := range compiled {
		d := s.docs[file]
		if d == nil || d.outOfSync != "" {
			continue
		}
		// What the editor shows: this publication's predecessor.
		shown := s.early[file]
		if shown == nil {
			shown = s.results[file]
		}
		var was, now []checker.Diagnostic
		if shown != nil {
			was = compileOf(shown.diags)
			now = compileOf(moved(was, checkedText(shown, file), d.text))
		}
		if len(now) == len(was) && slices.EqualFunc(now, cds, sameFinding) {
			continue // what is shown stands: the rules' findings follow
		}
		merged := append([]checker.Diagnostic(nil), cds...)
		if r := s.results[file]; r != nil {
			for _, fd := range moved(r.diags, checkedText(r, file), d.text) {
				if fd.Rule != checker.RuleCompile {
					merged = append(merged, fd)
				}
			}
		}
		s.early[file] = &fileResult{version: d.version, open: true, text: d.text, diags: merged}
		s.checks.early.Add(1)
		files = append(files, file)
	}
	s.mu.Unlock()
	sort.Strings(files)
	for _, f := range files {
		s.publish(f)
	}
}

// checkedText is the text a result's positions refer to: the buffer it
// was computed on, or the file on disk.
func checkedText(r *fileResult, file string) []byte {
	if r.text != nil {
		return r.text
	}
	data, _ := os.ReadFile(file)
	return data
}

func compileOf(ds []checker.Diagnostic) []checker.Diagnostic {
	var out []checker.Diagnostic
	for _, d := range ds {
		if d.Rule == checker.RuleCompile {
			out = append(out, d)
		}
	}
	return out
}

func sameFinding(a, b checker.Diagnostic) bool {
	return a.Rule == b.Rule && a.Message == b.Message && a.Line == b.Line && a.Column == b.Column &&
		a.EndLine == b.EndLine && a.EndColumn == b.EndColumn
}

// moved returns the findings of a file's text from (Go positions, as the
// checker gives them) at their place in its text to: those before the
// text the edit between the two changed keep their place, those after it
// move with it, and those that meet it are left out. Related places in the
// file move alike (a finding one of whose places meets the changed text is
// left out); those in other files stay. Fixes are left out.
func moved(ds []checker.Diagnostic, from, to []byte) []checker.Diagnostic {
	prefix := 0
	for prefix < len(from) && prefix < len(to) && from[prefix] == to[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(from)-prefix && suffix < len(to)-prefix && from[len(from)-1-suffix] == to[len(to)-1-suffix] {
		suffix++
	}
	changedEnd, delta := len(from)-suffix, len(to)-len(from)
	var toLines []int // line starts of to, made when needed
	at := func(off int) (line, col int) {
		if toLines == nil {
			toLines = lineStarts(to)
		}
		i := sort.Search(len(toLines), func(i int) bool { return toLines[i] > off }) - 1
		return i + 1, off - toLines[i] + 1
	}
	// span moves the span from line:col to endLine:endCol (endLine 0: a
	// point), or reports that it meets the changed text.
	span := func(line, col, endLine, endCol int) (int, int, int, int, bool) {
		start := goOffset(from, line, col)
		end := start
		if endLine > 0 {
			end = max(goOffset(from, endLine, endCol), start)
		}
		switch {
		case end <= prefix:
			// before the change (where text was only inserted, a
			// point there stays before it)
		case start >= changedEnd:
			start, end = start+delta, end+delta
		default:
			return 0, 0, 0, 0, false
		}
		l, c := at(start)
		if endLine == 0 {
			return l, c, 0, 0, true
		}
		el, ec := at(end)
		return l, c, el, ec, true
	}
	var out []checker.Diagnostic
	for _, d := range ds {
		m := d
		m.Fixes, m.Related = nil, nil
		var ok bool
		m.Line, m.Column, m.EndLine, m.EndColumn, ok = span(d.Line, d.Column, d.EndLine, d.EndColumn)
		for _, p := range d.Related {
			if ok && p.File == d.File {
				p.Line, p.Column, p.EndLine, p.EndColumn, ok = span(p.Line, p.Column, p.EndLine, p.EndColumn)
			}
			m.Related = append(m.Related, p)
		}
		if ok {
			m.Offset, m.EndOffset = -1, -1
			out = append(out, m)
		}
	}
	return out
}

// lineStarts is the offset of each line of text.
func lineStarts(text []byte) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}
