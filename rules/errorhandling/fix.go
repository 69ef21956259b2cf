package errorhandling

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

const wrapTitle = "Wrap in framework.Errorf"

// wrapFix rewrites a call of errors.New or fmt.Errorf (as plainError
// accepts it) into framework.Errorf(framework.CodeInternal, ...). It adds
// the framework import when the file lacks it and deletes the errors or fmt
// import when the call is its last use in the file. It offers nothing when
// the names it needs are shadowed or the call is not written pkg.Func(...).
func wrapFix(pass *analysis.Pass, call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return analysis.SuggestedFix{}, false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return analysis.SuggestedFix{}, false
	}
	used, ok := pass.TypesInfo.Uses[x].(*types.PkgName)
	if !ok {
		return analysis.SuggestedFix{}, false
	}
	file := fileOf(pass, call.Pos())
	if file == nil {
		return analysis.SuggestedFix{}, false
	}
	scope := pass.Pkg.Scope().Innermost(call.Pos())
	qual, needImport := "framework", true
	for _, spec := range file.Imports {
		if path, _ := strconv.Unquote(spec.Path.Value); path == fw.Path {
			if pn := pass.TypesInfo.PkgNameOf(spec); pn != nil && pn.Name() != "_" && pn.Name() != "." {
				qual, needImport = pn.Name(), false
				if scope == nil || lookup(scope, qual, call.Pos()) != types.Object(pn) {
					return analysis.SuggestedFix{}, false // shadowed
				}
				break
			}
		}
	}
	if needImport && (scope == nil || lookup(scope, qual, call.Pos()) != nil) {
		return analysis.SuggestedFix{}, false
	}

	head := qual + ".Errorf(" + qual + ".CodeInternal, "
	if sel.Sel.Name == "New" {
		if msg, ok := fw.StringValue(pass.TypesInfo, call.Args[0]); !ok || strings.Contains(msg, "%") {
			head += `"%s", `
		}
	}
	edits := []analysis.TextEdit{{Pos: call.Fun.Pos(), End: call.Args[0].Pos(), NewText: []byte(head)}}

	importLine := strconv.Quote(fw.Path)
	if onlyUse(pass, file, used) {
		if del, replaced, ok := deleteImport(pass, file, used, needImport, importLine); ok {
			edits = append(edits, del)
			if replaced {
				needImport = false
			}
		}
	}
	if needImport {
		edits = append(edits, fw.AddImport(pass, file, importLine))
	}
	return analysis.SuggestedFix{Message: wrapTitle, TextEdits: edits}, true
}

// lookup is scope.LookupParent without the universe scope's predeclared
// names, which an import may shadow.
func lookup(scope *types.Scope, name string, pos token.Pos) types.Object {
	s, obj := scope.LookupParent(name, pos)
	if s == types.Universe {
		return nil
	}
	return obj
}

// onlyUse reports whether the file refers to the imported package pn once.
func onlyUse(pass *analysis.Pass, file *ast.File, pn *types.PkgName) bool {
	n := 0
	ast.Inspect(file, func(node ast.Node) bool {
		if id, ok := node.(*ast.Ident); ok && pass.TypesInfo.Uses[id] == pn {
			n++
		}
		return true
	})
	return n == 1
}

// deleteImport returns the edit deleting the import of pn. When the import
// is the file's only one in its declaration and the framework import is
// needed, the edit replaces the declaration with it (replaced is true). ok
// is false for layouts it does not handle (several specs on a line).
func deleteImport(pass *analysis.Pass, file *ast.File, pn *types.PkgName, needImport bool, importLine string) (edit analysis.TextEdit, replaced, ok bool) {
	for _, d := range file.Decls {
		gd, isGen := d.(*ast.GenDecl)
		if !isGen || gd.Tok != token.IMPORT {
			continue
		}
		for i, s := range gd.Specs {
			spec := s.(*ast.ImportSpec)
			if pass.TypesInfo.PkgNameOf(spec) != pn {
				continue
			}
			if len(gd.Specs) == 1 {
				text := ""
				if needImport {
					text = "import " + importLine
				}
				return analysis.TextEdit{Pos: gd.Pos(), End: gd.End(), NewText: []byte(text)}, needImport, true
			}
			tf := pass.Fset.File(spec.Pos())
			before, after := gd.Lparen, gd.Rparen
			if i > 0 {
				before = gd.Specs[i-1].End()
			}
			if i < len(gd.Specs)-1 {
				after = gd.Specs[i+1].Pos()
			}
			start, end := tf.Line(spec.Pos()), tf.Line(spec.End())
			if tf.Line(before) >= start || tf.Line(after) <= end {
				return analysis.TextEdit{}, false, false
			}
			return analysis.TextEdit{Pos: tf.LineStart(start), End: tf.LineStart(end + 1)}, false, true
		}
	}
	return analysis.TextEdit{}, false, false
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}
