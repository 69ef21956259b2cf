// Package rules is the registry of modls's rules. Each rule is a package
// beside this one exporting an analysis.Analyzer and its documentation as
// data; adding a rule is that package plus one line here.
package rules

import (
	"sort"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/apiresponse"
	"github.com/modls/modls/rules/dbsession"
	"github.com/modls/modls/rules/errorhandling"
	"github.com/modls/modls/rules/imports"
	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/manifest"
	"github.com/modls/modls/rules/phases"
	"github.com/modls/modls/rules/ruledoc"
	"github.com/modls/modls/rules/servicedocs"
	"github.com/modls/modls/rules/servicedocsmismatch"
	"github.com/modls/modls/rules/serviceregistration"
	"github.com/modls/modls/rules/settingsschema"
	"github.com/modls/modls/rules/sqlcheck"
	"github.com/modls/modls/rules/testcoverage"
)

// FrameworkPath is the framework's import path: its code is never module
// code, and has no analysis facts.
const FrameworkPath = fw.Path

// Rule is one rule: its documentation and its analyzer.
type Rule struct {
	Doc      ruledoc.Doc
	Analyzer *analysis.Analyzer
}

var all = []Rule{
	{serviceregistration.Doc, serviceregistration.Analyzer},
	{servicedocs.Doc, servicedocs.Analyzer},
	{servicedocsmismatch.Doc, servicedocsmismatch.Analyzer},
	{settingsschema.Doc, settingsschema.Analyzer},
	{apiresponse.Doc, apiresponse.Analyzer},
	{dbsession.Doc, dbsession.Analyzer},
	{sqlcheck.Doc, sqlcheck.Analyzer},
	{errorhandling.Doc, errorhandling.Analyzer},
	{phases.Doc, phases.Analyzer},
	{imports.Doc, imports.Analyzer},
	{testcoverage.Doc, testcoverage.Analyzer},
	{manifest.Doc, manifest.Analyzer},
}

func init() {
	sort.Slice(all, func(i, j int) bool { return all[i].Doc.ID < all[j].Doc.ID })
}

// All returns every rule, by ID.
func All() []Rule { return append([]Rule(nil), all...) }

// ByID returns the rule with the given ID.
func ByID(id string) (Rule, bool) {
	for _, r := range all {
		if r.Doc.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Analyzers returns every rule's analyzer, by ID.
func Analyzers() []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(all))
	for i, r := range all {
		out[i] = r.Analyzer
	}
	return out
}
