package checker

import (
	"fmt"
	"go/token"
	"go/types"
	"os"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
)

// analyze runs the analyzers (and what they require) on one type-checked
// package and returns their diagnostics. facts, if not nil, holds the
// facts of the packages it imports and receives those its analyzers
// export. A panic in an analyzer becomes a diagnostic of that analyzer
// instead of a crash.
func analyze(fset *token.FileSet, pkg *Package, analyzers []*analysis.Analyzer, readFile func(string) ([]byte, error), facts *factStore, tm *Timings) []analysis.Diagnostic {
	if facts == nil {
		facts = newFactStore(pkg.Types, nil, nil)
	}
	var diags []analysis.Diagnostic
	results := map[*analysis.Analyzer]any{}
	failed := map[*analysis.Analyzer]error{}
	var typeErrors []types.Error
	for _, e := range pkg.Errors {
		if e.Kind == "type" {
			typeErrors = append(typeErrors, types.Error{Fset: fset, Msg: e.Msg})
		}
	}
	var run func(a *analysis.Analyzer, root bool) error
	run = func(a *analysis.Analyzer, root bool) error {
		if _, ok := results[a]; ok {
			return nil
		}
		if err, ok := failed[a]; ok {
			return err
		}
		resultOf := map[*analysis.Analyzer]any{}
		for _, req := range a.Requires {
			if err := run(req, false); err != nil {
				failed[a] = err
				return err
			}
			resultOf[req] = results[req]
		}
		pass := &analysis.Pass{
			Analyzer:   a,
			Fset:       fset,
			Files:      pkg.Files,
			Pkg:        pkg.Types,
			TypesInfo:  pkg.Info,
			TypesSizes: types.SizesFor("gc", "amd64"),
			TypeErrors: typeErrors,
			ResultOf:   resultOf,
			ReadFile:   readFile,
			Report: func(d analysis.Diagnostic) {
				if root {
					if d.Category == "" {
						d.Category = a.Name
					}
					diags = append(diags, d)
				}
			},
		}
		facts.hooks(pass)
		start := time.Now()
		res, err := runGuarded(a, pass)
		tm.rule(a.Name, time.Since(start))
		if err != nil {
			failed[a] = err
			return err
		}
		if a.ResultType != nil && res != nil && reflect.TypeOf(res) != a.ResultType {
			err := fmt.Errorf("analyzer %s returned a %T, not a %s", a.Name, res, a.ResultType)
			failed[a] = err
			return err
		}
		results[a] = res
		return nil
	}
	for _, a := range analyzers {
		if err := run(a, true); err != nil {
			pos := token.NoPos
			if len(pkg.Files) > 0 {
				pos = pkg.Files[0].Package
			}
			diags = append(diags, analysis.Diagnostic{
				Pos:      pos,
				Category: a.Name,
				Message:  fmt.Sprintf("internal error: %s could not check package %s: %v", a.Name, pkg.Path, err),
			})
		}
	}
	return diags
}

func runGuarded(a *analysis.Analyzer, pass *analysis.Pass) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if os.Getenv("MODLS_DEBUG") == "" {
				stack = firstFrames(stack)
			}
			err = fmt.Errorf("panic: %v [%s]", r, stack)
		}
	}()
	return a.Run(pass)
}

// firstFrames keeps the frame that panicked, for a one-line report.
func firstFrames(stack string) string {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if strings.Contains(l, "panic(") && i+3 < len(lines) {
			return strings.TrimSpace(lines[i+3])
		}
	}
	return "set MODLS_DEBUG=1 for the stack"
}
