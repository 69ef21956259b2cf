package dbsession_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/dbsession"
)

func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	// One load for every package: the fixes are the tracker's alone.
	analysistest.RunWithSuggestedFixes(t, dir, dbsession.Analyzer, "./modules/standard/tracker", "./modules/standard/owndb", "./notmodule")
}

func TestDoc(t *testing.T) {
	if err := dbsession.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}
