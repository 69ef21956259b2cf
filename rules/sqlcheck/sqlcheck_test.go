package sqlcheck_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions/fixtest"
	"github.com/modls/modls/rules/sqlcheck"
)

func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	fixtest.Run(t, dir, sqlcheck.Analyzer, []string{"./modules/standard/ledger"},
		"./modules/standard/books/...",
		"./modules/standard/broken", "./modules/standard/opaque", "./modules/standard/owndb", "./notmodule")
}

func TestDoc(t *testing.T) {
	if err := sqlcheck.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}

// collector is an analysistest.Testing that keeps the errors it is given.
type collector struct{ errs []string }

func (c *collector) Errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// TestPositions checks that SQLite's error offset lands on the exact
// column of the Go string literal, across lines of a raw string, after
// escapes, in the second literal of a concatenation, and in the
// declaration of a constant (as related information).
func TestPositions(t *testing.T) {
	dir := analysistest.TestData()
	c := &collector{}
	results := analysistest.Run(c, dir, sqlcheck.Analyzer, "./modules/standard/positions")
	want := []string{
		`positions.go:30:30: no such column: titel`,
		`positions.go:33:3: no such column: shelff`,
		`positions.go:35:18: no such column: nope [positions.go:27:26: SQLite points here]`,
		`positions.go:36:33: no such column: nam`,
		`positions.go:37:36: no such column: nme`,
	}
	var got []string
	for _, r := range results {
		for _, d := range r.Diagnostics {
			p := r.Pass.Fset.Position(d.Pos)
			s := fmt.Sprintf("%s:%d:%d: %s", filepath.Base(p.Filename), p.Line, p.Column, d.Message)
			for _, rel := range d.Related {
				rp := r.Pass.Fset.Position(rel.Pos)
				s += fmt.Sprintf(" [%s:%d:%d: %s]", filepath.Base(rp.Filename), rp.Line, rp.Column, rel.Message)
			}
			got = append(got, s)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if len(c.errs) != len(want) {
		t.Errorf("analysistest: %s", strings.Join(c.errs, "\n"))
	}
}
