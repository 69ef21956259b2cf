package phases_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/phases"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), phases.Analyzer,
		"./modules/standard/cache", "./modules/standard/quiet", "./notmodule")
}

func TestDoc(t *testing.T) {
	if err := phases.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}
