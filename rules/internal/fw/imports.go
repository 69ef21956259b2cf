package fw

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
)

// AddImport returns the edit that imports a package (importLine is its
// quoted path, with a name if one is needed): a line added to the file's
// first import block, or a declaration after its first import declaration.
func AddImport(pass *analysis.Pass, file *ast.File, importLine string) analysis.TextEdit {
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if !gd.Lparen.IsValid() {
			return analysis.TextEdit{Pos: gd.End(), End: gd.End(), NewText: []byte("\nimport " + importLine)}
		}
		tf := pass.Fset.File(gd.Rparen)
		line := tf.Line(gd.Rparen)
		if len(gd.Specs) > 0 && tf.Line(gd.Specs[len(gd.Specs)-1].End()) < line {
			at := tf.LineStart(line)
			return analysis.TextEdit{Pos: at, End: at, NewText: []byte("\t" + importLine + "\n")}
		}
		return analysis.TextEdit{Pos: gd.Rparen, End: gd.Rparen, NewText: []byte("\n\t" + importLine + "\n")}
	}
	return analysis.TextEdit{Pos: file.Name.End(), End: file.Name.End(), NewText: []byte("\n\nimport " + importLine + "\n")}
}
