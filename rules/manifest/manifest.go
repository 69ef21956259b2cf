package manifest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/framework"
	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/ruledoc"
	"github.com/modls/modls/workspace"
)

// Analyzer reports manifests that are missing, malformed, or disagree with
// the module's directory, the application or the module's code.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	// The manifest as a whole is checked once, from the module's own
	// package (not from its external test package).
	root := fw.IsModuleRoot(pass, m) && !strings.HasSuffix(pass.Pkg.Name(), "_test")
	if m.Object == nil {
		if root {
			reportUnread(pass, m)
		}
		return nil, nil // what the module declares is unknown
	}
	if root {
		for _, f := range check(m, readCode(pass, m)) {
			d := analysis.Diagnostic{
				Pos:      fw.ManifestPos(pass, m, f.start),
				End:      fw.ManifestPos(pass, m, f.end),
				Category: Doc.ID,
				Message:  f.msg,
			}
			if f.fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{suggested(pass, m, f.fix)}
			}
			pass.Report(d)
		}
	}
	checkRegistrations(pass, m)
	checkLookups(pass, m)
	checkFeatureUses(pass, m)
	return nil, nil
}

// reportUnread reports a manifest that is missing, unreadable or not JSON.
func reportUnread(pass *analysis.Pass, m *workspace.Module) {
	var syn *workspace.SyntaxError
	if errors.As(m.ManifestErr, &syn) {
		pass.Report(analysis.Diagnostic{
			Pos:      fw.ManifestPos(pass, m, syn.At.Offset),
			Category: Doc.ID,
			Message:  "manifest.json is not valid JSON: " + syn.Msg,
		})
		return
	}
	if errors.Is(m.ManifestErr, workspace.ErrManifestTooLarge) {
		// One finding at its start: the file is not parsed.
		pass.Report(analysis.Diagnostic{
			Pos:      fw.ManifestPos(pass, m, 0),
			Category: Doc.ID,
			Message:  workspace.ErrManifestTooLarge.Error() + "; it is not read",
		})
		return
	}
	f := moduleFile(pass)
	if f == nil {
		return
	}
	msg := fmt.Sprintf("module directory modules/%s/%s has no manifest.json", m.Type, m.DirName)
	if !errors.Is(m.ManifestErr, fs.ErrNotExist) {
		msg = fmt.Sprintf("manifest.json of modules/%s/%s cannot be read: %v", m.Type, m.DirName, m.ManifestErr)
	}
	pass.Report(analysis.Diagnostic{Pos: f.Package, End: f.Name.End(), Category: Doc.ID, Message: msg})
}

// moduleFile is the file declaring the module's Setup method, or the
// package's first non-test file.
func moduleFile(pass *analysis.Pass) *ast.File {
	setup, _ := fw.PhaseFuncs(pass)
	var first *ast.File
	for _, f := range pass.Files {
		if isTest(pass, f.Pos()) {
			continue
		}
		if first == nil {
			first = f
		}
		for _, s := range setup {
			if f.Pos() <= s.Pos() && s.Pos() < f.End() {
				return f
			}
		}
	}
	return first
}

func isTest(pass *analysis.Pass, pos token.Pos) bool {
	return strings.HasSuffix(pass.Fset.File(pos).Name(), "_test.go")
}

// suggested turns a manifest fix into a SuggestedFix.
func suggested(pass *analysis.Pass, m *workspace.Module, f *fix) analysis.SuggestedFix {
	tf := fw.ManifestFile(pass, m)
	sf := analysis.SuggestedFix{Message: f.title}
	for _, e := range f.edits {
		sf.TextEdits = append(sf.TextEdits, analysis.TextEdit{Pos: tf.Pos(e.Start), End: tf.Pos(e.End), NewText: []byte(e.New)})
	}
	return sf
}

// keyInfo points at a manifest key, or says it is missing.
func keyInfo(pass *analysis.Pass, m *workspace.Module, key string) []analysis.RelatedInformation {
	f, ok := m.Object.Field(key)
	if !ok {
		return nil
	}
	return []analysis.RelatedInformation{{
		Pos:     fw.ManifestPos(pass, m, f.KeyAt.Start.Offset),
		End:     fw.ManifestPos(pass, m, f.KeyAt.End.Offset),
		Message: fmt.Sprintf("manifest.json %q", key),
	}}
}

func addFix(pass *analysis.Pass, m *workspace.Module, key, value string) []analysis.SuggestedFix {
	edits, err := codeactions.AddToList(m.ManifestPath, m.ManifestData, key, value)
	if err != nil || len(edits) == 0 {
		return nil
	}
	return []analysis.SuggestedFix{suggested(pass, m, &fix{title: "Add " + value + " to " + key, edits: edits})}
}

// checkRegistrations reports services registered outside tests under a
// constant, well-formed name that the manifest does not list.
func checkRegistrations(pass *analysis.Pass, m *workspace.Module) {
	if !readable(m, "services") || !readable(m, "name") {
		return
	}
	listed := map[string]bool{}
	for _, e := range declared(m, "services") {
		listed[e.value] = true
	}
	prefix := framework.ShortName(m.Name()) + "."
	for _, r := range fw.Registrations(pass) {
		if !r.NameOK || listed[r.Name] || isTest(pass, r.Call.Pos()) || !validService(prefix, r.Name) {
			continue // a malformed name is MOD001's
		}
		arg := r.Call.Args[0]
		pass.Report(analysis.Diagnostic{
			Pos: arg.Pos(), End: arg.End(), Category: Doc.ID,
			Message:        fmt.Sprintf("service %q is registered but manifest.json does not list it", r.Name),
			Related:        keyInfo(pass, m, "services"),
			SuggestedFixes: addFix(pass, m, "services", r.Name),
		})
	}
}

// checkLookups reports framework.Service lookups outside tests of a
// service that no declared dependency (nor a core module, nor the module
// itself) provides.
func checkLookups(pass *analysis.Pass, m *workspace.Module) {
	if !readable(m, "dependencies") {
		return
	}
	for _, f := range pass.Files {
		if isTest(pass, f.Pos()) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 || !fw.IsFunc(fw.Callee(pass.TypesInfo, call), "Service") {
				return true
			}
			name, ok := fw.StringValue(pass.TypesInfo, call.Args[1])
			if !ok {
				pass.Report(analysis.Diagnostic{
					Pos: call.Args[1].Pos(), End: call.Args[1].End(), Category: ruledoc.Category(Doc.ID, ruledoc.Info),
					Message: "service name is not a constant: modls cannot check that a declared dependency provides it",
				})
				return true
			}
			if _, core := workspace.CoreServices[name]; core {
				return true
			}
			providers := providers(m.App, name)
			var names []string
			for _, p := range providers {
				if m.Declares(p.Name()) {
					return true
				}
				names = append(names, p.Name())
			}
			d := analysis.Diagnostic{
				Pos: call.Args[1].Pos(), End: call.Args[1].End(), Category: Doc.ID,
				Related: keyInfo(pass, m, "dependencies"),
			}
			switch len(names) {
			case 0:
				if opaqueProvider(m.App) {
					return true // a registration under a name that is not constant may provide it
				}
				d.Message = fmt.Sprintf("no module provides service %q", name)
			case 1:
				d.Message = fmt.Sprintf("service %q is provided by %s, which is not a declared dependency", name, names[0])
				d.SuggestedFixes = addFix(pass, m, "dependencies", names[0])
			default:
				d.Message = fmt.Sprintf("service %q is provided by %s, none of which is a declared dependency", name, strings.Join(names, " and "))
			}
			pass.Report(d)
			return true
		})
	}
}

// opaqueProvider reports whether a module of the application registers a
// service under a name that is not a constant.
func opaqueProvider(app *workspace.App) bool {
	for _, p := range app.Modules {
		for _, n := range p.NonConstant {
			if n.What == "registration" {
				return true
			}
		}
	}
	return false
}

// providers are the modules of the application that register service
// outside their tests.
func providers(app *workspace.App, service string) []*workspace.Module {
	var out []*workspace.Module
	for _, p := range app.Providers(service) {
		for _, r := range p.Registrations {
			if r.Service == service && !strings.HasSuffix(r.Pos.Filename, "_test.go") {
				out = append(out, p)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// featureOf says which feature a call uses, if any.
func featureOf(fn *types.Func) string {
	switch {
	case fw.IsMethod(fn, "Setup", "Migrate"), fw.IsMethod(fn, "App", "DB"), fw.IsMethod(fn, "App", "Database"):
		return framework.FeatureDatabase
	case fw.IsFunc(fn, "Settings"):
		return framework.FeatureSettings
	case fw.IsMethod(fn, "Setup", "Handle"):
		return framework.FeatureAPI
	}
	return ""
}

// checkFeatureUses reports, once per feature and package, the first call
// outside tests that uses a feature the manifest does not declare.
func checkFeatureUses(pass *analysis.Pass, m *workspace.Module) {
	if !readable(m, "features") {
		return
	}
	have := map[string]bool{}
	for _, e := range declared(m, "features") {
		have[e.value] = true
	}
	for _, f := range pass.Files {
		if isTest(pass, f.Pos()) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn := fw.Callee(pass.TypesInfo, call)
			feature := featureOf(fn)
			if feature == "" || have[feature] {
				return true
			}
			have[feature] = true // once per feature
			pass.Report(analysis.Diagnostic{
				Pos: call.Pos(), End: call.End(), Category: Doc.ID,
				Message:        fmt.Sprintf("%s uses feature %s, which manifest.json does not declare", fn.Name(), feature),
				Related:        keyInfo(pass, m, "features"),
				SuggestedFixes: addFix(pass, m, "features", feature),
			})
			return true
		})
	}
}

// readCode gathers what the manifest is checked against: the services the
// module registers and the signs of each feature, read from the syntax of
// every Go file of the module (the package's own files as the pass holds
// them, the others as the checker reads them: the editor's buffers or the
// disk).
func readCode(pass *analysis.Pass, m *workspace.Module) code {
	c := code{registered: map[string]bool{}, uses: map[string]bool{}}
	for _, r := range m.Registrations {
		c.registered[r.Service] = true
	}
	for _, n := range m.NonConstant {
		if n.What == "registration" {
			c.opaque = true // a name the model cannot read: the registered set is incomplete
		}
	}
	if len(m.Migrations) > 0 {
		c.uses[framework.FeatureDatabase] = true
	}
	inPass := map[string]*ast.File{}
	for _, f := range pass.Files {
		inPass[pass.Fset.File(f.Pos()).Name()] = f
	}
	for _, name := range m.Files {
		var uses []string
		if f := inPass[name]; f != nil {
			uses = featuresUsed(f, nil)
		} else {
			var err error
			if uses, err = otherFiles.Of(pass, name); err != nil {
				c.opaque = true // unknown code may register anything
				continue
			}
		}
		for _, u := range uses {
			c.uses[u] = true
		}
	}
	return c
}

// otherFiles holds the features each file outside a pass uses.
var otherFiles = fw.NewSummaries(featuresUsed)

// featuresUsed lists the features whose signs a file's syntax shows: the
// framework calls that need them, by name.
func featuresUsed(f *ast.File, _ error) []string {
	var uses []string
	add := func(feature string) {
		if !slices.Contains(uses, feature) {
			uses = append(uses, feature)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch name := calledName(call.Fun); name {
		case "Migrate", "DB", "Database":
			add(framework.FeatureDatabase)
		case "Settings":
			add(framework.FeatureSettings)
		case "Handle":
			add(framework.FeatureAPI)
		}
		return true
	})
	return uses
}

// calledName is the name a call's function is spelt with: x.Name(...),
// Name(...), x.Name[T](...), Name[T](...).
func calledName(fun ast.Expr) string {
	switch f := ast.Unparen(fun).(type) {
	case *ast.IndexExpr:
		return calledName(f.X)
	case *ast.IndexListExpr:
		return calledName(f.X)
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.Ident:
		return f.Name
	}
	return ""
}
