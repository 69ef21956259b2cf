package checker

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
)

type seenFact struct{ N int }

func (*seenFact) AFact() {}

// TestAnalyzeSideBySide checks how analyze runs analyzers: what one
// requires runs first and hands it its result, independent analyzers run
// at the same time, a panic or an error fails the analyzer and what
// requires it, and the diagnostics come in the order of the analyzers
// asked for, whatever order they finish in. The facts of analyzers that
// finish in either order encode the same.
func TestAnalyzeSideBySide(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", "package p\n\nfunc F() {}\n\nfunc G() {}\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
	tp, err := (&types.Config{}).Check("example.com/p", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	pkg := &Package{Path: "example.com/p", Name: "p", Files: []*ast.File{f}, Types: tp, Info: info}

	// left and right each wait for the other: run one after the other,
	// the first would time out.
	leftIn, rightIn := make(chan struct{}), make(chan struct{})
	meet := func(mine, theirs chan struct{}) string {
		close(mine)
		select {
		case <-theirs:
			return "met"
		case <-time.After(10 * time.Second):
			return "alone"
		}
	}
	report := func(pass *analysis.Pass, msg string) {
		pass.Report(analysis.Diagnostic{Pos: f.Name.Pos(), Message: msg})
	}
	first := &analysis.Analyzer{Name: "first", Doc: "first", ResultType: reflect.TypeFor[int](),
		Run: func(pass *analysis.Pass) (any, error) { report(pass, "first"); return 7, nil }}
	second := &analysis.Analyzer{Name: "second", Doc: "second", Requires: []*analysis.Analyzer{first},
		Run: func(pass *analysis.Pass) (any, error) {
			report(pass, "second got "+strings.Repeat("|", pass.ResultOf[first].(int)))
			return nil, nil
		}}
	exporter := func(name string, mine, theirs chan struct{}) *analysis.Analyzer {
		return &analysis.Analyzer{Name: name, Doc: name, FactTypes: []analysis.Fact{new(seenFact)},
			Run: func(pass *analysis.Pass) (any, error) {
				how := meet(mine, theirs)
				for i, name := range []string{"F", "G"} {
					pass.ExportObjectFact(pass.Pkg.Scope().Lookup(name), &seenFact{N: i})
				}
				report(pass, how)
				return nil, nil
			}}
	}
	left := exporter("left", leftIn, rightIn)
	right := exporter("right", rightIn, leftIn)
	boom := &analysis.Analyzer{Name: "boom", Doc: "boom", Run: func(*analysis.Pass) (any, error) { panic("boom") }}
	afterBoom := &analysis.Analyzer{Name: "afterboom", Doc: "afterboom", Requires: []*analysis.Analyzer{boom},
		Run: func(pass *analysis.Pass) (any, error) { report(pass, "ran after a panic"); return nil, nil }}
	failing := &analysis.Analyzer{Name: "failing", Doc: "failing", Run: func(*analysis.Pass) (any, error) { return nil, errors.New("no") }}

	store := newFactStore(tp, nil, nil)
	diags := analyze(fset, pkg, []*analysis.Analyzer{second, left, afterBoom, right, failing}, nil, store, nil)
	var got []string
	for _, d := range diags {
		msg := d.Message
		if i := strings.Index(msg, "panic: boom"); i >= 0 {
			msg = msg[:i+len("panic: boom")]
		}
		got = append(got, d.Category+": "+msg)
	}
	want := []string{
		"second: second got |||||||",
		"left: met",
		"afterboom: internal error: afterboom could not check package example.com/p: panic: boom",
		"right: met",
		"failing: internal error: failing could not check package example.com/p: no",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var order []string
	for _, fact := range store.encoded().Facts {
		order = append(order, fact.Analyzer+" "+fact.Object)
	}
	if got, want := strings.Join(order, ", "), "left F, left G, right F, right G"; got != want {
		t.Errorf("encoded facts: %s; want %s", got, want)
	}
}
