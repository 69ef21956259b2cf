package sqlcheck

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/workspace"
)

// Analyzer reports SQL that SQLite rejects against the module's schema and
// SQL built from non-constant strings.
var Analyzer = &analysis.Analyzer{
	Name: Doc.ID,
	Doc:  Doc.AnalyzerDoc(),
	URL:  Doc.URL(),
	Run:  run,
}

type checker struct {
	pass   *analysis.Pass
	schema *schema
	// full is false when the schema is unknown or broken: only errors
	// that hold whatever the schema (syntax errors) are reported.
	full       bool
	migrations []string
	// compiled holds SQLite's verdict on each SQL text of the package, so
	// that a statement reached twice is compiled once.
	compiled map[string]string
	values   *values
}

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	c := &checker{pass: pass, compiled: map[string]string{}}
	migrations := moduleMigrations(m)
	for _, mg := range migrations {
		c.migrations = append(c.migrations, mg.SQL)
	}
	c.schema = schemaFor(c.migrations)
	c.full = c.schema.openErr == nil && c.schema.failed == 0 && !c.opaqueMigrations(migrations)
	if c.schema.failed > 0 {
		c.reportMigration(migrations[c.schema.failed-1], c.schema.failed, c.schema.failMsg)
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			idx, raw, ok := sqlArg(pass.TypesInfo, call)
			if !ok || idx >= len(call.Args) {
				return true
			}
			c.checkArg(call, idx, raw)
			return true
		})
	}
	return nil, nil
}

// moduleMigrations returns the module's migrations outside test files, in
// file and source order (the workspace scans packages in no set order).
func moduleMigrations(m *workspace.Module) []workspace.Migration {
	var out []workspace.Migration
	for _, mg := range m.Migrations {
		if !strings.HasSuffix(mg.Pos.Filename, "_test.go") {
			out = append(out, mg)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	return out
}

// opaqueMigrations reports whether the package declares schema that the
// workspace model could not read: a Migrate argument that is not a
// constant string, or a constant the syntactic scan did not resolve.
func (c *checker) opaqueMigrations(known []workspace.Migration) bool {
	have := map[string]bool{}
	for _, mg := range known {
		have[mg.SQL] = true
	}
	opaque := false
	for _, f := range c.pass.Files {
		if isTestFile(c.pass, f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !fw.IsMethod(fw.Callee(c.pass.TypesInfo, call), "Setup", "Migrate") {
				return true
			}
			if call.Ellipsis.IsValid() {
				opaque = true
			}
			for _, a := range call.Args {
				if s, ok := fw.StringValue(c.pass.TypesInfo, a); !ok || !have[s] {
					opaque = true
				}
			}
			return true
		})
	}
	return opaque
}

// reportMigration reports a rejected migration at its Migrate argument when
// that argument is in this package.
func (c *checker) reportMigration(mg workspace.Migration, n int, msg string) {
	for _, f := range c.pass.Files {
		tf := c.pass.Fset.File(f.Pos())
		if filepath.Clean(tf.Name()) != filepath.Clean(mg.Pos.Filename) || mg.Pos.Offset >= tf.Size() {
			continue
		}
		pos := tf.Pos(mg.Pos.Offset)
		end := pos
		ast.Inspect(f, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok && e.Pos() == pos && e.End() > end {
				end = e.End()
			}
			return end == pos
		})
		c.pass.Report(analysis.Diagnostic{
			Pos:      pos,
			End:      end,
			Category: Doc.ID,
			Message:  fmt.Sprintf("migration %d: %s", n, msg),
		})
		return
	}
}

// sqlArg returns the index of the SQL argument of a call that gives SQL to
// the database, and whether the call is database/sql's (a database the
// module opened itself).
func sqlArg(info *types.Info, call *ast.CallExpr) (idx int, raw, ok bool) {
	fn := fw.Callee(info, call)
	if fn == nil {
		return 0, false, false
	}
	switch name := fn.Name(); {
	case fw.IsMethod(fn, "Tx", name) && (name == "Exec" || name == "Query" || name == "QueryRow"):
		return 0, false, true
	case fw.IsMethod(fn, "DB", name) && (name == "Query" || name == "QueryRow"):
		return 1, false, true
	case fw.IsSQLMethod(fn):
		switch name {
		case "Exec", "Query", "QueryRow", "Prepare":
			return 0, true, true
		case "ExecContext", "QueryContext", "QueryRowContext", "PrepareContext":
			return 1, true, true
		}
	}
	return 0, false, false
}

func (c *checker) checkArg(call *ast.CallExpr, idx int, raw bool) {
	arg := call.Args[idx]
	if s, ok := fw.StringValue(c.pass.TypesInfo, arg); ok {
		c.compile(arg, s, raw)
		return
	}
	if c.values == nil {
		c.values = newValues(c.pass)
	}
	v := c.values.eval(arg)
	switch v.kind {
	case constValue:
		c.compile(arg, v.s, raw)
	case unsafeValue:
		d := analysis.Diagnostic{
			Pos:      arg.Pos(),
			End:      arg.End(),
			Category: Doc.ID,
			Message:  "SQL built from a non-constant string; pass values as ? parameters",
		}
		if v.at != nil && (v.at.Pos() < arg.Pos() || v.at.End() > arg.End()) {
			d.Related = []analysis.RelatedInformation{{
				Pos: v.at.Pos(), End: v.at.End(),
				Message: "the non-constant value joins the SQL here",
			}}
		}
		if fix, ok := parameterFix(c.pass, call, idx); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
		c.pass.Report(d)
	}
}

// compile reports SQLite's rejection of the SQL text s given at arg.
func (c *checker) compile(arg ast.Expr, s string, raw bool) {
	msg, ok := c.compiled[s]
	if !ok {
		for {
			var err error
			msg, err = c.schema.compile(s)
			if !errors.Is(err, errEvicted) {
				break
			}
			c.schema = schemaFor(c.migrations)
		}
		c.compiled[s] = msg
	}
	if msg == "" || (!c.full || raw) && !isSyntaxError(msg) {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos:      arg.Pos(),
		End:      arg.End(),
		Category: Doc.ID,
		Message:  msg,
	})
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
}

// parameterFix rewrites "... = " + x (or "... = '" + x + "'", with an
// optional constant tail) into "... = ?" with x appended to the call's
// arguments.
func parameterFix(pass *analysis.Pass, call *ast.CallExpr, idx int) (analysis.SuggestedFix, bool) {
	if call.Ellipsis.IsValid() {
		return analysis.SuggestedFix{}, false
	}
	arg := ast.Unparen(call.Args[idx])
	var parts []ast.Expr
	var flatten func(e ast.Expr) bool
	flatten = func(e ast.Expr) bool {
		e = ast.Unparen(e)
		if _, ok := fw.StringValue(pass.TypesInfo, e); !ok {
			if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
				return flatten(b.X) && flatten(b.Y)
			}
		}
		parts = append(parts, e)
		return true
	}
	flatten(arg)
	// Exactly one non-constant operand, with constants around it.
	var prefix, suffix string
	var value ast.Expr
	for _, p := range parts {
		s, ok := fw.StringValue(pass.TypesInfo, p)
		switch {
		case ok && value == nil:
			prefix += s
		case ok:
			suffix += s
		case value == nil:
			value = p
		default:
			return analysis.SuggestedFix{}, false
		}
	}
	if value == nil || !bindable(pass.TypesInfo.TypeOf(value)) {
		return analysis.SuggestedFix{}, false
	}
	switch {
	case strings.HasSuffix(prefix, "'") && strings.HasPrefix(suffix, "'"):
		prefix, suffix = prefix[:len(prefix)-1], suffix[1:]
	case strings.HasSuffix(prefix, "'") || strings.HasPrefix(suffix, "'"):
		return analysis.SuggestedFix{}, false
	}
	// The placeholder must be a whole operand: after an operator or a
	// keyword, not inside a word or a quoted string.
	trimmed := strings.TrimRight(prefix, " \t\n")
	if trimmed == "" || strings.Count(prefix, "'")%2 != 0 || !strings.ContainsAny(trimmed[len(trimmed)-1:], "=<>(,") && !endsWithWord(trimmed, "LIKE", "IS", "IN", "LIMIT", "OFFSET", "AND", "OR", "NOT", "THEN", "ELSE", "WHEN") {
		return analysis.SuggestedFix{}, false
	}
	if suffix != "" && !strings.ContainsAny(suffix[:1], " \t\n),;") {
		return analysis.SuggestedFix{}, false
	}
	// The new ? comes after the placeholders of the prefix: the call must
	// pass exactly their values, and the tail must hold none.
	if placeholders(prefix) != len(call.Args)-idx-1 || placeholders(suffix) != 0 || strings.ContainsAny(prefix+suffix, ":@$") {
		return analysis.SuggestedFix{}, false
	}
	lit := false
	for _, p := range parts {
		if b, ok := p.(*ast.BasicLit); ok && strings.HasPrefix(b.Value, "`") {
			lit = true
		}
	}
	valueText := exprText(pass, value)
	if valueText == "" {
		return analysis.SuggestedFix{}, false
	}
	text := prefix + "?" + suffix
	var newSQL string
	if lit && !strings.Contains(text, "`") {
		newSQL = "`" + text + "`"
	} else {
		newSQL = fmt.Sprintf("%q", text)
	}
	last := call.Args[len(call.Args)-1]
	return analysis.SuggestedFix{
		Message: "Use a ? parameter",
		TextEdits: []analysis.TextEdit{
			{Pos: call.Args[idx].Pos(), End: call.Args[idx].End(), NewText: []byte(newSQL)},
			{Pos: last.End(), End: last.End(), NewText: []byte(", " + valueText)},
		},
	}, true
}

// placeholders counts the ? outside quotes; a numbered ?NNN counts as many
// so that the fix gives up.
func placeholders(s string) int {
	n, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted
		case s[i] == '?' && !quoted:
			n++
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				n += 1000
			}
		}
	}
	return n
}

func endsWithWord(s string, words ...string) bool {
	for _, w := range words {
		if len(s) >= len(w) && strings.EqualFold(s[len(s)-len(w):], w) && (len(s) == len(w) || !isWordByte(s[len(s)-len(w)-1])) {
			return true
		}
	}
	return false
}

// bindable reports whether a value of type t can be passed as a
// parameter as it is: a number, string, bool, []byte or time.Time.
func bindable(t types.Type) bool {
	if t == nil {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&(types.IsNumeric|types.IsString|types.IsBoolean) != 0 && u.Info()&types.IsComplex == 0 && u.Info()&types.IsUntyped == 0
	case *types.Slice:
		b, ok := u.Elem().(*types.Basic)
		return ok && b.Kind() == types.Byte
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time"
}

// exprText prints e as Go source.
func exprText(pass *analysis.Pass, e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, pass.Fset, e); err != nil {
		return ""
	}
	return b.String()
}
