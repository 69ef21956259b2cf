package imports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/workspace"
)

// Analyzer reports imports across module boundaries that bypass a contract
// or an undeclared dependency, and uses of deprecated framework API.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

// deprecation is a framework function or method that has a replacement.
type deprecation struct {
	// Type is the receiver's type name for a method ("App"), "" for a
	// package-level function.
	Type, Name string
	// Use is the name that replaces Name; the call is otherwise the same.
	Use string
}

// deprecated lists the framework's deprecated API. Each entry's fix is
// titled "Use <Use>", which Doc.Fixes declares safe.
var deprecated = []deprecation{
	{Type: "App", Name: "Database", Use: "DB"},
}

func (d deprecation) String() string {
	if d.Type == "" {
		return "framework." + d.Name
	}
	return "(*framework." + d.Type + ")." + d.Name
}

func (d deprecation) matches(fn *types.Func) bool {
	if d.Type == "" {
		return fw.IsFunc(fn, d.Name)
	}
	return fw.IsMethod(fn, d.Type, d.Name)
}

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	for _, f := range pass.Files {
		test := strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
		for _, imp := range f.Imports {
			checkImport(pass, m, imp, test)
		}
	}
	checkDeprecated(pass)
	return nil, nil
}

// owner is the module of the application whose directory holds the package
// path, or nil.
func owner(m *workspace.Module, path string) *workspace.Module {
	var best *workspace.Module
	for _, o := range m.App.Modules {
		if within(path, o.ImportPath) && (best == nil || len(o.ImportPath) > len(best.ImportPath)) {
			best = o
		}
	}
	return best
}

// within reports whether path is prefix or a package below it, without
// building prefix+"/" (owner runs for every import against every module).
func within(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) && (len(path) == len(prefix) || path[len(prefix)] == '/')
}

func checkImport(pass *analysis.Pass, m *workspace.Module, imp *ast.ImportSpec, test bool) {
	path, err := strconv.Unquote(imp.Path.Value)
	if err != nil {
		return
	}
	o := owner(m, path)
	if o == nil || o == m {
		return
	}
	contract := o.ImportPath + "/contract"
	isContract := path == contract || strings.HasPrefix(path, contract+"/")
	// A test may import a dependency's root package to boot the module.
	boot := test && path == o.ImportPath
	if !isContract && !boot {
		pass.Report(analysis.Diagnostic{
			Pos: imp.Pos(), End: imp.End(), Category: Doc.ID,
			Message: fmt.Sprintf("import of %s's package %s; import only its contract", o.Name(), path),
		})
		return
	}
	if !dependenciesKnown(m) || m.Declares(o.Name()) {
		return
	}
	d := analysis.Diagnostic{
		Pos: imp.Pos(), End: imp.End(), Category: Doc.ID,
		Message: fmt.Sprintf("import of the contract of %s, which is not a declared dependency", o.Name()),
	}
	if boot {
		d.Message = fmt.Sprintf("import of %s, which is not a declared dependency", o.Name())
	}
	if fd, ok := m.Object.Field("dependencies"); ok {
		d.Related = []analysis.RelatedInformation{{
			Pos:     fw.ManifestPos(pass, m, fd.KeyAt.Start.Offset),
			End:     fw.ManifestPos(pass, m, fd.KeyAt.End.Offset),
			Message: `manifest.json "dependencies"`,
		}}
	}
	if fix, ok := addDependency(pass, m, o.Name()); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	pass.Report(d)
}

// dependenciesKnown reports whether the manifest was read and its
// "dependencies", if present, is an array of strings: otherwise what the
// module declares is unknown and the manifest rule reports why.
func dependenciesKnown(m *workspace.Module) bool {
	if m.Object == nil {
		return false
	}
	f, ok := m.Object.Field("dependencies")
	if !ok {
		return true
	}
	var deps []string
	dec := json.NewDecoder(bytes.NewReader(f.Raw))
	return dec.Decode(&deps) == nil
}

// addDependency is the fix appending name to the manifest's dependencies.
func addDependency(pass *analysis.Pass, m *workspace.Module, name string) (analysis.SuggestedFix, bool) {
	edits, err := codeactions.AddToList(m.ManifestPath, m.ManifestData, "dependencies", name)
	if err != nil || len(edits) == 0 {
		return analysis.SuggestedFix{}, false
	}
	tf := fw.ManifestFile(pass, m)
	fix := analysis.SuggestedFix{Message: "Add " + name + " to dependencies"}
	for _, e := range edits {
		fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{Pos: tf.Pos(e.Start), End: tf.Pos(e.End), NewText: []byte(e.New)})
	}
	return fix, true
}

// checkDeprecated reports each use of deprecated framework API: calls,
// method values and method expressions alike.
func checkDeprecated(pass *analysis.Pass) {
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			fn, ok := pass.TypesInfo.Uses[id].(*types.Func)
			if !ok {
				return true
			}
			for _, d := range deprecated {
				if !d.matches(fn.Origin()) {
					continue
				}
				pass.Report(analysis.Diagnostic{
					Pos: id.Pos(), End: id.End(), Category: Doc.ID,
					Message: fmt.Sprintf("%s is deprecated: use %s", d, d.Use),
					SuggestedFixes: []analysis.SuggestedFix{{
						Message:   "Use " + d.Use,
						TextEdits: []analysis.TextEdit{{Pos: id.Pos(), End: id.End(), NewText: []byte(d.Use)}},
					}},
				})
			}
			return true
		})
	}
}
