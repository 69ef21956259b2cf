package imports

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions/fixtest"
)

func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	fixtest.Run(t, dir, Analyzer,
		[]string{"./modules/standard/reports", "./modules/standard/loner"},
		"./modules/standard/reports/contract",
		"./modules/standard/reports/internal/calc",
		"./modules/standard/billing/...",
		"./modules/standard/inventory/...",
		"./modules/standard/garbled",
		"./notmodule",
	)
}

// TestFixTitles checks that every deprecation's fix is declared, and safe.
func TestFixTitles(t *testing.T) {
	for _, d := range deprecated {
		if !Doc.SafeFix("Use " + d.Use) {
			t.Errorf("Doc.Fixes does not declare %q safe", "Use "+d.Use)
		}
	}
	if err := Doc.Check(); err != nil {
		t.Error(err)
	}
}
