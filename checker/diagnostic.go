package checker

import (
	"fmt"
	"path/filepath"
	"sort"
)

// Diagnostic is one finding, with positions as Go tools count them (1-based
// lines, columns in bytes).
type Diagnostic struct {
	Rule      string  `json:"rule"`
	Severity  string  `json:"severity"`
	File      string  `json:"file"` // absolute; made relative when printed
	Line      int     `json:"line"`
	Column    int     `json:"column"`
	EndLine   int     `json:"end_line"`
	EndColumn int     `json:"end_column"`
	Offset    int     `json:"-"`
	EndOffset int     `json:"-"`
	Message   string  `json:"message"`
	URL       string  `json:"url,omitempty"`
	Related   []Place `json:"related,omitempty"`
	Fixes     []Fix   `json:"fixes"`
}

// Place is a position with a message, for related information.
type Place struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Message   string `json:"message"`
}

// Fix is a quick fix: a title, its safety and its edits.
type Fix struct {
	Message string     `json:"message"`
	Safe    bool       `json:"safe"`
	Edits   []TextEdit `json:"edits"`
}

// TextEdit replaces a range of a file; Offset and EndOffset are bytes.
type TextEdit struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Offset    int    `json:"offset"`
	EndOffset int    `json:"end_offset"`
	NewText   string `json:"new_text"`
}

// Pseudo-rules for findings that are not a rule's: syntax and type errors,
// and problems with suppression comments.
const (
	RuleCompile     = "compile"
	RuleSuppression = "suppression"
)

// Key identifies a finding independently of its line, for baselines: the
// file (relative to the workspace root), the rule and the message.
func (d Diagnostic) Key(root string) string {
	return relSlash(root, d.File) + "\x00" + d.Rule + "\x00" + d.Message
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s", d.File, d.Line, d.Column, d.Rule, d.Message)
}

func relSlash(base, file string) string {
	if base != "" {
		if r, err := filepath.Rel(base, file); err == nil {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(file)
}

// Relative returns a copy whose file names are relative to dir and
// slash-separated, as modls prints them.
func (d Diagnostic) Relative(dir string) Diagnostic {
	d.File = relSlash(dir, d.File)
	d.Related = append([]Place(nil), d.Related...)
	for i := range d.Related {
		d.Related[i].File = relSlash(dir, d.Related[i].File)
	}
	fixes := make([]Fix, len(d.Fixes))
	for i, f := range d.Fixes {
		f.Edits = append([]TextEdit(nil), f.Edits...)
		for j := range f.Edits {
			f.Edits[j].File = relSlash(dir, f.Edits[j].File)
		}
		fixes[i] = f
	}
	d.Fixes = fixes
	return d
}

// SortDiagnostics orders by file, position, rule and message, and drops
// exact duplicates, as Check orders its findings; it sorts file names as
// they are, relative ones too.
func SortDiagnostics(ds []Diagnostic) []Diagnostic { return sortDiagnostics(ds) }

// sortDiagnostics orders by file, position, rule and message, and drops
// exact duplicates (a file of two packages, a package and its test
// variant).
func sortDiagnostics(ds []Diagnostic) []Diagnostic {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	out := ds[:0]
	for i, d := range ds {
		if i > 0 {
			p := ds[i-1]
			if p.File == d.File && p.Line == d.Line && p.Column == d.Column && p.Rule == d.Rule && p.Message == d.Message {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// Counts tallies diagnostics by severity.
func Counts(ds []Diagnostic) map[string]int {
	c := map[string]int{}
	for _, d := range ds {
		c[d.Severity]++
	}
	return c
}
