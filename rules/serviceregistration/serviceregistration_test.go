package serviceregistration_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/rules/serviceregistration"
)

// TestAnalyzer checks every module's diagnostics against its want
// comments, and that a duplicate across modules points at the other
// module's registration.
func TestAnalyzer(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), serviceregistration.Analyzer,
		"./modules/...", "./otherapp/...", "./notmodule", "./shared")
	var n int
	for _, r := range results {
		for _, d := range r.Diagnostics {
			file := r.Pass.Fset.Position(d.Pos).Filename
			if !strings.HasSuffix(file, filepath.Join("modules", "standard", "alerts", "module.go")) {
				continue
			}
			n++
			if len(d.Related) != 1 {
				t.Fatalf("%s: related %v, want one position", d.Message, d.Related)
			}
			pos := r.Pass.Fset.Position(d.Related[0].Pos)
			want := filepath.Join("modules", "legacy", "alerts", "module.go")
			if !strings.HasSuffix(pos.Filename, want) || pos.Line != 21 || pos.Column != 27 {
				t.Errorf("related position %s, want %s:21:27", pos, want)
			}
			if d.Related[0].Message != "legacy.alerts registers alerts.service here" {
				t.Errorf("related message %q", d.Related[0].Message)
			}
		}
	}
	if n == 0 {
		t.Fatal("no diagnostic in standard.alerts")
	}
}

func TestDoc(t *testing.T) {
	if err := serviceregistration.Doc.Check(); err != nil {
		t.Error(err)
	}
	if serviceregistration.Analyzer.Name != serviceregistration.Doc.ID {
		t.Errorf("analyzer is named %q, want %s", serviceregistration.Analyzer.Name, serviceregistration.Doc.ID)
	}
}
