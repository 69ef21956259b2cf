package codeactions

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"strings"
)

// bom is the UTF-8 byte order mark some editors put at the start of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// Hunk says that the lines A[A0:A1] of one text became B[B0:B1] of another.
type Hunk struct{ A0, A1, B0, B1 int }

// SplitLines splits text into lines, each keeping its terminator.
func SplitLines(data []byte) []string {
	var out []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, string(data))
			break
		}
		out = append(out, string(data[:i+1]))
		data = data[i+1:]
	}
	return out
}

// lineKey is a line without its terminator: lines that differ only in
// "\r\n" against "\n" compare equal.
func lineKey(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// maxDiffDistance bounds the work of diffLines: texts further apart than
// this many inserted and deleted lines come back as one hunk.
const maxDiffDistance = 4000

// diffLines returns the hunks that turn a into b (a shortest edit script,
// by Myers's algorithm), comparing the lines' keys.
func diffLines(a, b []string, key func(string) string) []Hunk {
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i, s := range a {
		ka[i] = key(s)
	}
	for i, s := range b {
		kb[i] = key(s)
	}
	pre := 0
	for pre < len(ka) && pre < len(kb) && ka[pre] == kb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ka)-pre && suf < len(kb)-pre && ka[len(ka)-1-suf] == kb[len(kb)-1-suf] {
		suf++
	}
	hs := myers(ka[pre:len(ka)-suf], kb[pre:len(kb)-suf])
	for i := range hs {
		hs[i].A0 += pre
		hs[i].A1 += pre
		hs[i].B0 += pre
		hs[i].B1 += pre
	}
	return hs
}

func myers(a, b []string) []Hunk {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil
	}
	limit := min(n+m, maxDiffDistance)
	off := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] holds v[-d-1 .. d+1] as it was before step d.
	var trace [][]int
	found := false
	for d := 0; d <= limit && !found; d++ {
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	if !found {
		return []Hunk{{0, n, 0, m}}
	}
	delA, insB := make([]bool, n), make([]bool, m)
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		tv := trace[d]
		at := func(k int) int { return tv[k+d+1] }
		k := x - y
		var prevK int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
		}
		if x == prevX {
			insB[prevY] = true
		} else {
			delA[prevX] = true
		}
		x, y = prevX, prevY
	}
	var hs []Hunk
	i, j := 0, 0
	for i < n || j < m {
		if i < n && j < m && !delA[i] && !insB[j] {
			i++
			j++
			continue
		}
		h := Hunk{A0: i, B0: j}
		for i < n && delA[i] {
			i++
		}
		for j < m && insB[j] {
			j++
		}
		if i == h.A0 && j == h.B0 { // cannot happen; keeps the loop finite
			if i < n {
				i++
			}
			if j < m {
				j++
			}
		}
		h.A1, h.B1 = i, j
		hs = append(hs, h)
	}
	return hs
}

// touches reports whether the line range [a0,a1) meets [b0,b1); an empty
// range is a position between lines, which meets the lines on both sides.
func touches(a0, a1, b0, b1 int) bool {
	if a0 == a1 || b0 == b1 {
		return a0 <= b1 && b0 <= a1
	}
	return a0 < b1 && b0 < a1
}

// formatEdited gofmt-s the lines of edited that differ from orig (with the
// code gofmt ties to them), leaving every other line as it was: a file that
// was not gofmt-clean is not reformatted whole by a fix. If edited does
// not parse it is returned as it is.
func formatEdited(orig, edited []byte) []byte {
	formatted, err := format.Source(edited)
	if err != nil {
		return edited
	}
	ol, el, fl := SplitLines(orig), SplitLines(edited), SplitLines(formatted)
	changed := diffLines(ol, el, lineKey)
	var out []string
	e := 0
	touched := func(h Hunk) bool {
		for _, c := range changed {
			if touches(h.A0, h.A1, c.B0, c.B1) {
				return true
			}
		}
		return false
	}
	// gofmt mostly rewrites lines one for one: such lines are taken one by
	// one, so that a neighbour of an edited line stays as it was, except
	// where gofmt only realigns it with lines the edit changed (the
	// columns of a struct, a const block or trailing comments).
	oneToOne := make([]int, len(el)) // line of formatted, or -1
	for i := range oneToOne {
		oneToOne[i] = -1
	}
	var whole []Hunk // hunks gofmt did not rewrite line for line, to take whole
	a, b := 0, 0
	for _, h := range diffLines(el, fl, lineKey) {
		for ; a < h.A0; a, b = a+1, b+1 {
			oneToOne[a] = b
		}
		if h.A1-h.A0 == h.B1-h.B0 {
			for i := 0; i < h.A1-h.A0; i++ {
				oneToOne[h.A0+i] = h.B0 + i
			}
		} else if touched(h) {
			whole = append(whole, h)
		}
		a, b = h.A1, h.B1
	}
	for ; a < len(el); a, b = a+1, b+1 {
		oneToOne[a] = b
	}
	isEdited := make([]bool, len(el))
	take := make([]bool, len(el))
	for i := range el {
		isEdited[i] = touched(Hunk{i, i + 1, 0, 0})
		take[i] = isEdited[i] && oneToOne[i] >= 0
	}
	realigned := func(i int) bool {
		return oneToOne[i] >= 0 && !isEdited[i] && el[i] != fl[oneToOne[i]] && sameWords(el[i], fl[oneToOne[i]])
	}
	// A column gofmt aligns runs over adjacent lines of one indented block
	// (a blank line or another depth ends it).
	indent := func(l string) string { return l[:len(l)-len(strings.TrimLeft(l, "\t"))] }
	sameBlock := func(i, j int) bool {
		if j < 0 || j >= len(el) || !(isEdited[j] || take[j]) || strings.TrimSpace(el[j]) == "" {
			return false
		}
		if oneToOne[j] < 0 {
			return false
		}
		// gofmt's indentation: a fix may write a line without its own.
		in := indent(fl[oneToOne[i]])
		return in != "" && in == indent(fl[oneToOne[j]])
	}
	for i := range el {
		if realigned(i) && sameBlock(i, i-1) {
			take[i] = true
		}
	}
	for i := len(el) - 1; i >= 0; i-- {
		if realigned(i) && sameBlock(i, i+1) {
			take[i] = true
		}
	}
	var hunks []Hunk
	for i := range el {
		if take[i] {
			hunks = append(hunks, Hunk{i, i + 1, oneToOne[i], oneToOne[i] + 1})
		}
	}
	hunks = append(hunks, whole...)
	slices.SortFunc(hunks, func(x, y Hunk) int {
		if x.A0 != y.A0 {
			return x.A0 - y.A0
		}
		return x.A1 - y.A1
	})
	for _, h := range hunks {
		out = append(out, el[e:h.A0]...)
		out = append(out, fl[h.B0:h.B1]...)
		e = h.A1
	}
	out = append(out, el[e:]...)
	result := []byte(strings.Join(out, ""))
	if _, err := format.Source(result); err != nil {
		// Formatting only part of the file broke it (it cannot, for
		// whitespace, but a fix must never write what does not parse):
		// keep the fix unformatted.
		return edited
	}
	return result
}

// sameWords reports whether two lines differ only in the width of their
// runs of spaces and tabs after the indentation: gofmt realigning a column.
func sameWords(a, b string) bool {
	ia := len(a) - len(strings.TrimLeft(a, "\t"))
	ib := len(b) - len(strings.TrimLeft(b, "\t"))
	if a[:ia] != b[:ib] {
		return false
	}
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// keepEndings gives the lines of fixed that differ from orig the line
// ending most of orig's lines have, so that a fix keeps a CRLF file CRLF;
// lines equal to orig's keep orig's bytes.
func keepEndings(orig, fixed []byte) []byte {
	crlf := bytes.Count(orig, []byte("\r\n"))
	if crlf == 0 || crlf*2 < bytes.Count(orig, []byte("\n")) {
		return fixed
	}
	ol, fl := SplitLines(orig), SplitLines(fixed)
	var b strings.Builder
	f := 0
	crlfLine := func(s string) string {
		if strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\r\n") {
			return s[:len(s)-1] + "\r\n"
		}
		return s
	}
	o := 0
	equal := func(to int) {
		for ; f < to; f, o = f+1, o+1 {
			if strings.HasSuffix(fl[f], "\n") && strings.HasSuffix(ol[o], "\n") {
				b.WriteString(ol[o])
			} else {
				b.WriteString(fl[f]) // the last line, with no terminator
			}
		}
	}
	for _, h := range diffLines(ol, fl, lineKey) {
		equal(h.B0)
		for ; f < h.B1; f++ {
			b.WriteString(crlfLine(fl[f]))
		}
		o = h.A1
	}
	equal(len(fl))
	return []byte(b.String())
}

// Unified returns the unified diff (three lines of context) that turns
// old into new, with the given file names in its header; "" when they are
// equal. A missing file is named /dev/null.
func Unified(oldName, newName string, old, new []byte) string {
	a, b := SplitLines(old), SplitLines(new)
	hs := diffLines(a, b, func(s string) string { return s })
	if len(hs) == 0 {
		return ""
	}
	const ctx = 3
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
	for i := 0; i < len(hs); {
		// Group hunks whose contexts meet.
		j := i
		for j+1 < len(hs) && hs[j+1].A0-hs[j].A1 <= 2*ctx {
			j++
		}
		a0, b0 := max(hs[i].A0-ctx, 0), max(hs[i].B0-ctx, 0)
		a1, b1 := min(hs[j].A1+ctx, len(a)), min(hs[j].B1+ctx, len(b))
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(a0, a1-a0), hunkRange(b0, b1-b0))
		ai := a0
		for k := i; k <= j; k++ {
			for ; ai < hs[k].A0; ai++ {
				writeLine(&sb, ' ', a[ai])
			}
			for x := hs[k].A0; x < hs[k].A1; x++ {
				writeLine(&sb, '-', a[x])
			}
			for x := hs[k].B0; x < hs[k].B1; x++ {
				writeLine(&sb, '+', b[x])
			}
			ai = hs[k].A1
		}
		for ; ai < a1; ai++ {
			writeLine(&sb, ' ', a[ai])
		}
		i = j + 1
	}
	return sb.String()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func writeLine(sb *strings.Builder, op byte, line string) {
	sb.WriteByte(op)
	sb.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		sb.WriteString("\n\\ No newline at end of file\n")
	}
}
