package apiresponse_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/codeactions/fixtest"
	"github.com/modls/modls/rules/apiresponse"
)

func TestAnalyzer(t *testing.T) {
	fixtest.Run(t, analysistest.TestData(), apiresponse.Analyzer,
		[]string{"./modules/standard/shop", "./modules/standard/nostatus"},
		"./modules/standard/bare",
		"./modules/standard/shopfixed",
		"./modules/standard/tidy",
		"./modules/standard/nostatusfixed",
		"./modules/standard/statussub/...",
		"./modules/standard/opaque",
		"./modules/standard/noapi",
		"./modules/standard/getvar",
		"./modules/standard/shop/contract",
		"./notmodule",
		"./routekit",
	)
}

func TestDoc(t *testing.T) {
	if err := apiresponse.Doc.Check(); err != nil {
		t.Fatal(err)
	}
}
