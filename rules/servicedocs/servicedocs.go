package servicedocs

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// Analyzer reports exported service methods without a ServiceMethod entry.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer},
}

func run(pass *analysis.Pass) (any, error) {
	if _, m := fw.Module(pass); m == nil {
		return nil, nil
	}
	for _, reg := range fw.Registrations(pass) {
		if reg.Opaque {
			continue
		}
		documented := map[string]bool{}
		for _, e := range reg.Entries {
			documented[e.Name] = true
		}
		var missing []*types.Func
		for _, fn := range fw.ServiceMethods(reg.Impl) {
			if !documented[fn.Name()] && fn.Pkg() == pass.Pkg {
				missing = append(missing, fn)
			}
		}
		if len(missing) == 0 {
			continue
		}
		fix := addEntries(pass, reg, missing)
		for _, fn := range missing {
			pass.Report(analysis.Diagnostic{
				Pos:      fn.Pos(),
				End:      fn.Pos() + token.Pos(len(fn.Name())),
				Category: Doc.ID,
				Message:  fmt.Sprintf("exported method %s has no ServiceMethod entry", fn.Name()),
				Related: []analysis.RelatedInformation{{
					Pos: reg.Call.Pos(), End: reg.Call.Pos(),
					Message: "the service is registered here",
				}},
				SuggestedFixes: []analysis.SuggestedFix{fix},
			})
		}
	}
	return nil, nil
}

// addEntries appends a ServiceMethod literal per missing method after the
// call's last argument.
func addEntries(pass *analysis.Pass, reg *fw.Registration, missing []*types.Func) analysis.SuggestedFix {
	qual := frameworkQualifier(pass, reg.Call)
	var b bytes.Buffer
	for _, fn := range missing {
		b.WriteString(",\n")
		b.WriteString(Entry(qual, fn, pass.Pkg, docComment(pass, fn)))
	}
	last := reg.Call.Args[len(reg.Call.Args)-1]
	return analysis.SuggestedFix{
		Message:   "Add ServiceMethod entries",
		TextEdits: []analysis.TextEdit{{Pos: last.End(), End: last.End(), NewText: b.Bytes()}},
	}
}

// Entry is the source of a ServiceMethod literal documenting fn; qual is the
// name the file imports the framework under.
func Entry(qual string, fn *types.Func, self *types.Package, description string) string {
	sig := fn.Type().(*types.Signature)
	var b strings.Builder
	fmt.Fprintf(&b, "%s.ServiceMethod{\n", qual)
	fmt.Fprintf(&b, "Name: %q,\n", fn.Name())
	fmt.Fprintf(&b, "Description: %s,\n", strconv.Quote(description))
	if sig.Params().Len() > 0 {
		fmt.Fprintf(&b, "Params: []%s.Param{\n", qual)
		for i := 0; i < sig.Params().Len(); i++ {
			p := sig.Params().At(i)
			name := p.Name()
			if name == "" || name == "_" {
				name = fmt.Sprintf("arg%d", i)
			}
			t := fw.TypeString(p.Type(), self)
			if sig.Variadic() && i == sig.Params().Len()-1 {
				t = "..." + fw.TypeString(p.Type().(*types.Slice).Elem(), self)
			}
			fmt.Fprintf(&b, "{Name: %q, Type: %q, Description: \"\"},\n", name, t)
		}
		b.WriteString("},\n")
	}
	fmt.Fprintf(&b, "Returns: %q,\n", fw.ReturnsString(sig, self))
	b.WriteString("}")
	out, err := format.Source([]byte("package p\nvar _ = " + b.String()))
	if err != nil {
		return b.String()
	}
	return strings.TrimSpace(strings.TrimPrefix(string(out), "package p\n\nvar _ = "))
}

// frameworkQualifier is the name under which the file of call imports the
// framework ("framework" unless renamed).
func frameworkQualifier(pass *analysis.Pass, call *ast.CallExpr) string {
	for _, f := range pass.Files {
		if f.Pos() <= call.Pos() && call.End() <= f.End() {
			for _, imp := range f.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); path == fw.Path {
					if imp.Name != nil {
						return imp.Name.Name
					}
				}
			}
		}
	}
	return "framework"
}

// docComment is the first sentence of the method's doc comment, or a
// placeholder naming the method.
func docComment(pass *analysis.Pass, fn *types.Func) string {
	for _, f := range pass.Files {
		if !(f.Pos() <= fn.Pos() && fn.Pos() <= f.End()) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && fd.Name.Pos() == fn.Pos() && fd.Doc != nil {
				text := strings.Join(strings.Fields(fd.Doc.Text()), " ")
				if i := strings.Index(text, ". "); i >= 0 {
					text = text[:i+1]
				}
				return text
			}
		}
	}
	return fn.Name() + " (describe what it does)."
}
