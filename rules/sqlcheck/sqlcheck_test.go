package sqlcheck_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/sqlcheck"
)

func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	analysistest.RunWithSuggestedFixes(t, dir, sqlcheck.Analyzer, "./modules/standard/ledger")
	analysistest.Run(t, dir, sqlcheck.Analyzer,
		"./modules/standard/broken", "./modules/standard/opaque", "./modules/standard/owndb", "./notmodule")
}

func TestDoc(t *testing.T) {
	if err := sqlcheck.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}
