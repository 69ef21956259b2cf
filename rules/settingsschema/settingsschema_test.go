package settingsschema_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions/fixtest"
	"github.com/modls/modls/rules/settingsschema"
)

func TestAnalyzer(t *testing.T) {
	fixtest.Run(t, analysistest.TestData(), settingsschema.Analyzer, []string{"./modules/standard/prefs"},
		"./modules/standard/limits/...", "./modules/standard/prefsfixed", "./notmodule")
}

func TestDoc(t *testing.T) {
	if err := settingsschema.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}
