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
//
// Analyzers run side by side, each once what it requires has run: they
// only read the package (its syntax, types and facts), as go/analysis
// asks of them. The diagnostics come in the order of analyzers, each
// analyzer's in the order it reported them.
func analyze(fset *token.FileSet, pkg *Package, analyzers []*analysis.Analyzer, readFile func(string) ([]byte, error), facts *factStore, tm *Timings) []analysis.Diagnostic {
	if facts == nil {
		facts = newFactStore(pkg.Types, nil, nil)
	}
	var typeErrors []types.Error
	for _, e := range pkg.Errors {
		if e.Kind == "type" {
			typeErrors = append(typeErrors, types.Error{Fset: fset, Msg: e.Msg})
		}
	}
	sizes := types.SizesFor("gc", "amd64")
	roots := map[*analysis.Analyzer]bool{}
	for _, a := range analyzers {
		roots[a] = true
	}
	// One action per analyzer: done is closed once result, err and
	// diags are set.
	type action struct {
		done   chan struct{}
		result any
		err    error
		diags  []analysis.Diagnostic
	}
	actions := map[*analysis.Analyzer]*action{}
	var order []*analysis.Analyzer
	var add func(a *analysis.Analyzer)
	add = func(a *analysis.Analyzer) {
		if actions[a] != nil {
			return
		}
		actions[a] = &action{done: make(chan struct{})}
		for _, req := range a.Requires {
			add(req)
		}
		order = append(order, a)
	}
	for _, a := range analyzers {
		add(a)
	}
	if len(order) == 0 {
		return nil
	}
	exec := func(a *analysis.Analyzer) {
		act := actions[a]
		defer close(act.done)
		resultOf := map[*analysis.Analyzer]any{}
		for _, req := range a.Requires {
			r := actions[req]
			<-r.done
			if r.err != nil {
				act.err = r.err
				return
			}
			resultOf[req] = r.result
		}
		root := roots[a]
		pass := &analysis.Pass{
			Analyzer:   a,
			Fset:       fset,
			Files:      pkg.Files,
			Pkg:        pkg.Types,
			TypesInfo:  pkg.Info,
			TypesSizes: sizes,
			TypeErrors: typeErrors,
			ResultOf:   resultOf,
			ReadFile:   readFile,
			Report: func(d analysis.Diagnostic) {
				if root {
					if d.Category == "" {
						d.Category = a.Name
					}
					act.diags = append(act.diags, d)
				}
			},
		}
		facts.hooks(pass)
		start := time.Now()
		res, err := runGuarded(a, pass)
		tm.rule(a.Name, time.Since(start))
		if err == nil && a.ResultType != nil && res != nil && reflect.TypeOf(res) != a.ResultType {
			err = fmt.Errorf("analyzer %s returned a %T, not a %s", a.Name, res, a.ResultType)
		}
		act.result, act.err = res, err
	}
	// The last analyzer runs on this goroutine.
	for _, a := range order[:len(order)-1] {
		go exec(a)
	}
	exec(order[len(order)-1])
	var diags []analysis.Diagnostic
	for _, a := range analyzers {
		act := actions[a]
		<-act.done
		if act.err != nil {
			pos := token.NoPos
			if len(pkg.Files) > 0 {
				pos = pkg.Files[0].Package
			}
			diags = append(diags, analysis.Diagnostic{
				Pos:      pos,
				Category: a.Name,
				Message:  fmt.Sprintf("internal error: %s could not check package %s: %v", a.Name, pkg.Path, act.err),
			})
			continue
		}
		diags = append(diags, act.diags...)
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
