package dbsession_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/dbsession"
)

func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	analysistest.RunWithSuggestedFixes(t, dir, dbsession.Analyzer, "./modules/standard/tracker")
	analysistest.Run(t, dir, dbsession.Analyzer, "./modules/standard/owndb", "./notmodule")
}

func TestDoc(t *testing.T) {
	if err := dbsession.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}
