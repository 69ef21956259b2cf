// Package codeactions turns the rules' suggested fixes into edits of files
// on disk or in an editor: edits to Go files, to manifest.json (keeping its
// formatting) and file creations, each fix marked safe or unsafe. It applies
// sets of fixes without ever applying two overlapping edits. It knows
// nothing of LSP; the server converts its Fix into a WorkspaceEdit.
package codeactions

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"os"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/ruledoc"
)

// Edit replaces the bytes [Start, End) of File with New.
type Edit struct {
	File       string
	Start, End int
	New        string
}

// Fix is one quick fix: a title (a command), whether `--fix` may apply it
// unattended, and its edits. An edit of a file that does not exist, at
// offset 0, creates the file.
type Fix struct {
	Rule  string
	Title string
	Safe  bool
	Edits []Edit
}

// Files lists the files a fix edits, sorted.
func (f Fix) Files() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range f.Edits {
		if !seen[e.File] {
			seen[e.File] = true
			out = append(out, e.File)
		}
	}
	sort.Strings(out)
	return out
}

// FromAnalysis converts a diagnostic's suggested fixes. safe tells whether
// the rule declares a fix title safe.
func FromAnalysis(fset *token.FileSet, d analysis.Diagnostic, safe func(title string) bool) ([]Fix, error) {
	var out []Fix
	rule, _ := ruledoc.ParseCategory(d.Category)
	for _, sf := range d.SuggestedFixes {
		fix := Fix{Rule: rule, Title: sf.Message, Safe: safe != nil && safe(sf.Message)}
		for _, te := range sf.TextEdits {
			tf := fset.File(te.Pos)
			if tf == nil {
				return nil, fmt.Errorf("fix %q: an edit is at no file", sf.Message)
			}
			end := te.End
			if !end.IsValid() {
				end = te.Pos
			}
			fix.Edits = append(fix.Edits, Edit{File: tf.Name(), Start: tf.Offset(te.Pos), End: tf.Offset(end), New: string(te.NewText)})
		}
		out = append(out, fix)
	}
	return out, nil
}

// Conflict is a fix that was not applied because it overlaps one that was.
type Conflict struct {
	Fix  Fix
	With Fix
}

func (c Conflict) String() string {
	return fmt.Sprintf("%s %q conflicts with %s %q and was not applied", c.Fix.Rule, c.Fix.Title, c.With.Rule, c.With.Title)
}

// Reader reads a file's current content; it returns os.ErrNotExist for a
// file that does not exist (and so may be created).
type Reader func(name string) ([]byte, error)

// Apply applies fixes in order, skipping any fix one of whose edits
// overlaps an edit of a fix already taken (identical edits are merged: two
// diagnostics may offer the same fix). It returns the new content of each
// changed file (Go files gofmt-ed, with the imports the fixes left unused
// removed) and the fixes it skipped.
func Apply(read Reader, fixes []Fix) (map[string][]byte, []Conflict, error) {
	type taken struct {
		edit Edit
		fix  Fix
	}
	byFile := map[string][]taken{}
	var conflicts []Conflict
	for _, fix := range fixes {
		var mine []Edit
		var clash *Fix
	edits:
		for _, e := range fix.Edits {
			for _, t := range byFile[e.File] {
				if t.edit == e {
					continue edits // the same edit, offered twice
				}
				if overlaps(t.edit, e) {
					clash = &t.fix
					break edits
				}
			}
			for _, m := range mine {
				if m != e && overlaps(m, e) {
					return nil, nil, fmt.Errorf("fix %q has overlapping edits", fix.Title)
				}
			}
			mine = append(mine, e)
		}
		if clash != nil {
			conflicts = append(conflicts, Conflict{Fix: fix, With: *clash})
			continue
		}
		for _, e := range mine {
			byFile[e.File] = append(byFile[e.File], taken{e, fix})
		}
	}
	out := map[string][]byte{}
	for name, ts := range byFile {
		data, err := read(name)
		if err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
		edits := make([]Edit, len(ts))
		for i, t := range ts {
			edits[i] = t.edit
		}
		fixed, err := ApplyEdits(data, edits)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if strings.HasSuffix(name, ".go") {
			fixed = dropNewlyUnusedImports(data, fixed)
			if formatted, err := format.Source(fixed); err == nil {
				fixed = formatted
			}
		}
		data = fixed
		out[name] = data
	}
	return out, conflicts, nil
}

// overlaps reports whether two edits of the same file touch a common byte,
// or insert at the same place (their order would be ambiguous).
func overlaps(a, b Edit) bool {
	if a.File != b.File {
		return false
	}
	if a.Start == a.End && b.Start == b.End {
		return a.Start == b.Start
	}
	return a.Start < b.End && b.Start < a.End || a.Start == a.End && b.Start < a.Start && a.Start < b.End || b.Start == b.End && a.Start < b.Start && b.Start < a.End
}

// ApplyEdits applies non-overlapping edits of one file.
func ApplyEdits(data []byte, edits []Edit) ([]byte, error) {
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var b bytes.Buffer
	last := 0
	for _, e := range sorted {
		if e.Start < last || e.End < e.Start || e.End > len(data) {
			return nil, fmt.Errorf("edit [%d,%d) is out of range or overlaps another", e.Start, e.End)
		}
		b.Write(data[last:e.Start])
		b.WriteString(e.New)
		last = e.End
	}
	b.Write(data[last:])
	return b.Bytes(), nil
}
