package sqlcheck

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/internal/sqlflow"
	"github.com/modls/modls/rules/internal/sqliteapi"
	"github.com/modls/modls/rules/internal/sqlschema"
	"github.com/modls/modls/rules/ruledoc"
	"github.com/modls/modls/workspace"
)

// Analyzer reports SQL that SQLite rejects against the module's schema, SQL
// built from non-constant strings, and calls whose arguments or Scan
// targets disagree with the statement.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer, sqlflow.Analyzer},
}

type checker struct {
	pass   *analysis.Pass
	module *workspace.Module
	schema *sqlschema.Schema
	// full is false when the schema is unknown or broken: only errors
	// that hold whatever the schema (syntax errors) are reported.
	full       bool
	migrations []workspace.Migration
	flow       *sqlflow.Result
	// broken are the package's constant queries SQLite rejects for a
	// missing table or column, for the migration that removed it.
	broken []brokenQuery
}

type brokenQuery struct {
	sql string
	at  ast.Expr
	msg string
}

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	flow := pass.ResultOf[sqlflow.Analyzer].(*sqlflow.Result)
	c := &checker{pass: pass, module: m, flow: flow}
	c.schema, c.migrations = sqlschema.ForModule(m)
	failed, failErr := c.schema.Failed()
	c.full = c.schema.OK() && !c.opaqueMigrations()
	if failed > 0 {
		c.reportMigration(c.migrations[failed-1], failed, failErr.Msg)
	}
	c.reportOpaqueSchema()
	for _, call := range flow.Calls {
		c.checkCall(call)
	}
	if c.full {
		c.checkDroppedColumns(flow)
	}
	return nil, nil
}

// opaqueMigrations reports whether the module declares schema that the
// workspace model could not read: a Migrate argument that is not a
// constant.
func (c *checker) opaqueMigrations() bool {
	for _, n := range c.module.NonConstant {
		if n.What == "migration" && !strings.HasSuffix(n.Pos.Filename, "_test.go") {
			return true
		}
	}
	return false
}

// reportOpaqueSchema says once, as information, on the first Migrate
// argument of the module that is not a constant, that the module's SQL is
// checked for syntax only: its schema is unknown.
func (c *checker) reportOpaqueSchema() {
	var first *workspace.NonConstant
	for i, n := range c.module.NonConstant {
		if n.What != "migration" || strings.HasSuffix(n.Pos.Filename, "_test.go") {
			continue
		}
		if first == nil || n.Pos.Filename < first.Pos.Filename || n.Pos.Filename == first.Pos.Filename && n.Pos.Offset < first.Pos.Offset {
			first = &c.module.NonConstant[i]
		}
	}
	if first == nil {
		return
	}
	if e, _ := c.exprAt(first.Pos); e != nil {
		c.pass.Report(analysis.Diagnostic{
			Pos: e.Pos(), End: e.End(), Category: ruledoc.Category(Doc.ID, ruledoc.Info),
			Message: "schema given to Migrate is not a constant: the module's SQL is checked for syntax only",
		})
	}
}

// exprAt returns the expression of the pass's files that starts at a
// position the workspace model recorded, or nil.
func (c *checker) exprAt(p token.Position) (ast.Expr, *ast.File) {
	for _, f := range c.pass.Files {
		tf := c.pass.Fset.File(f.FileStart)
		if filepath.Clean(tf.Name()) != filepath.Clean(p.Filename) || p.Offset >= tf.Size() {
			continue
		}
		pos := tf.Pos(p.Offset)
		var found ast.Expr
		ast.Inspect(f, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok && e.Pos() == pos && (found == nil || e.End() > found.End()) {
				found = e
			}
			return n == nil || n.Pos() <= pos && pos < n.End()
		})
		return found, f
	}
	return nil, nil
}

// reportMigration reports a rejected migration at its Migrate argument when
// that argument is in this package.
func (c *checker) reportMigration(mg workspace.Migration, n int, msg string) {
	e, _ := c.exprAt(mg.Pos)
	if e == nil {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos:      e.Pos(),
		End:      e.End(),
		Category: Doc.ID,
		Message:  fmt.Sprintf("migration %d: %s", n, msg),
	})
}

func (c *checker) checkCall(call *sqlflow.Call) {
	arg := call.SQL
	v := c.flow.Eval(arg)
	switch v.Kind {
	case sqlflow.Const:
		c.checkSQL(call, v.Text, true)
	case sqlflow.Shaped:
		c.checkSQL(call, v.Text, false)
	case sqlflow.Unsafe:
		d := analysis.Diagnostic{
			Pos:      arg.Pos(),
			End:      arg.End(),
			Category: Doc.ID,
			Message:  "SQL built from a non-constant string; pass values as ? parameters",
		}
		if v.At != nil && (v.At.Pos() < arg.Pos() || v.At.End() > arg.End()) {
			d.Related = append(d.Related, analysis.RelatedInformation{
				Pos: v.At.Pos(), End: v.At.End(),
				Message: "the non-constant value joins the SQL here",
			})
		}
		if call.Sink != nil {
			d.Related = append(d.Related, c.viaInfo(call))
		}
		if fix, ok := parameterFix(c.pass, call.Call, indexOf(call.Call, arg)); ok && call.Sink == nil {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
		c.pass.Report(d)
	}
}

func indexOf(call *ast.CallExpr, arg ast.Expr) int {
	for i, a := range call.Args {
		if a == arg {
			return i
		}
	}
	return -1
}

// viaInfo points at the helper a call gives its SQL to.
func (c *checker) viaInfo(call *sqlflow.Call) analysis.RelatedInformation {
	return analysis.RelatedInformation{
		Pos: call.Call.Fun.Pos(), End: call.Call.Fun.End(),
		Message: "the SQL reaches the database through " + call.Via(),
	}
}

// checkSQL checks SQL text given at a call; exact is false for a
// representative expansion of SQL built with repeated parts.
func (c *checker) checkSQL(call *sqlflow.Call, sql string, exact bool) {
	p := c.schema.Prepare(sql)
	if p == nil {
		return
	}
	if p.Err != nil {
		c.reportRejected(call, sql, p.Err, exact)
		return
	}
	if !exact {
		return
	}
	c.checkArgs(call, p)
	if len(p.Stmts) == 1 && !call.Target.Raw() {
		c.checkScan(call, p.Stmts[0])
		if c.full && !fw.IsTestFile(c.pass, fileOf(c.pass, call.Call)) {
			c.checkPlan(call, sql, p.Stmts[0])
		}
	}
}

// reportRejected reports SQLite's error at the place in the Go source
// that it points at, when it points somewhere.
func (c *checker) reportRejected(call *sqlflow.Call, sql string, e *sqliteapi.Error, exact bool) {
	syntax := sqlschema.IsSyntaxError(e.Msg)
	if (!c.full || call.Target.Raw()) && !syntax || !exact && syntax {
		return
	}
	arg := call.SQL
	d := analysis.Diagnostic{Pos: arg.Pos(), End: arg.End(), Category: Doc.ID, Message: e.Msg}
	if exact && e.Offset >= 0 {
		if at, end, ok := c.sourceOf(arg, e.Offset, tokenLen(sql, e.Offset)); ok {
			if arg.Pos() <= at && end <= arg.End() {
				d.Pos, d.End = at, end
			} else {
				d.Related = append(d.Related, analysis.RelatedInformation{Pos: at, End: end, Message: "SQLite points here"})
			}
		}
	}
	if call.Sink != nil {
		d.Related = append(d.Related, c.viaInfo(call))
	}
	c.pass.Report(d)
	if exact && c.full && (strings.HasPrefix(e.Msg, "no such table:") || strings.HasPrefix(e.Msg, "no such column:")) &&
		!fw.IsTestFile(c.pass, fileOf(c.pass, call.Call)) {
		c.broken = append(c.broken, brokenQuery{sql: sql, at: arg, msg: e.Msg})
	}
}

// tokenLen is the length of the SQL token at offset: a word, a quoted
// name or string, or one byte.
func tokenLen(sql string, offset int) int {
	if offset >= len(sql) {
		return 0
	}
	switch q := sql[offset]; q {
	case '\'', '"', '`', '[':
		end := q
		if q == '[' {
			end = ']'
		}
		if i := strings.IndexByte(sql[offset+1:], end); i >= 0 {
			return i + 2
		}
		return len(sql) - offset
	}
	n := 0
	for offset+n < len(sql) && isWordByte(sql[offset+n]) {
		n++
	}
	return max(n, 1)
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// checkArgs compares the statement's parameters with the arguments the
// call passes: a missing one fails at run time, an extra one is silently
// ignored.
func (c *checker) checkArgs(call *sqlflow.Call, p *sqlschema.Prepared) {
	if !call.ArgsKnown || call.Named || call.Target.Method == "Prepare" {
		return
	}
	want := 0
	for _, st := range p.Stmts {
		if st.Named {
			return
		}
		want = max(want, st.Params)
	}
	got := len(call.Args)
	if got == want {
		return
	}
	d := analysis.Diagnostic{
		Pos: call.SQL.Pos(), End: call.SQL.End(), Category: Doc.ID,
		Message: fmt.Sprintf("the SQL takes %s but the call passes %s", plural(want, "parameter", "parameters"), plural(got, "argument", "arguments")),
	}
	if call.Sink != nil {
		d.Related = append(d.Related, c.viaInfo(call))
	}
	c.pass.Report(d)
}

// fileOf is the file of the pass holding n.
func fileOf(pass *analysis.Pass, n ast.Node) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= n.Pos() && n.Pos() <= f.FileEnd {
			return f
		}
	}
	return nil
}

// parameterFix rewrites "... = " + x (or "... = '" + x + "'", with an
// optional constant tail) into "... = ?" with x appended to the call's
// arguments.
func parameterFix(pass *analysis.Pass, call *ast.CallExpr, idx int) (analysis.SuggestedFix, bool) {
	if idx < 0 || call.Ellipsis.IsValid() {
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
