package servicedocs_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/servicedocs"
)

func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), servicedocs.Analyzer, "./modules/standard/tracker", "./notmodule")
}
