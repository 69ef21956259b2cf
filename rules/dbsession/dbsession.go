package dbsession

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
	"github.com/modls/modls/rules/internal/sqlflow"
	"github.com/modls/modls/rules/internal/sqlschema"
)

// Analyzer reports database writes outside an IntegritySession.
var Analyzer = &analysis.Analyzer{
	Name:     Doc.ID,
	Doc:      Doc.AnalyzerDoc(),
	URL:      Doc.URL(),
	Run:      run,
	Requires: []*analysis.Analyzer{fw.Analyzer, sqlflow.Analyzer},
}

func run(pass *analysis.Pass) (any, error) {
	_, m := fw.Module(pass)
	if m == nil {
		return nil, nil
	}
	flow := pass.ResultOf[sqlflow.Analyzer].(*sqlflow.Result)
	byCall := map[*ast.CallExpr]*sqlflow.Call{}
	for _, c := range flow.Calls {
		byCall[c.Call] = c
	}
	schema, _ := sqlschema.ForModule(m)
	for _, f := range pass.Files {
		if strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go") {
			continue
		}
		callbacks := sessionCallbacks(pass, f)
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			if call, ok := n.(*ast.CallExpr); ok && byCall[call] != nil {
				check(pass, schema, f, byCall[call], stack, callbacks)
			}
			return true
		})
	}
	return nil, nil
}

// sessionCallbacks returns the function literals passed to
// (*framework.DB).IntegritySession in f.
func sessionCallbacks(pass *analysis.Pass, f *ast.File) map[*ast.FuncLit]bool {
	out := map[*ast.FuncLit]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if ok && fw.IsMethod(fw.Callee(pass.TypesInfo, call), "DB", "IntegritySession") && len(call.Args) == 3 {
			if lit, ok := ast.Unparen(call.Args[2]).(*ast.FuncLit); ok {
				out[lit] = true
			}
		}
		return true
	})
	return out
}

// writes says whether constant SQL writes, as SQLite's prepared statement
// says (sqlite3_stmt_readonly), and whether that is known. EXPLAIN runs
// nothing and a PRAGMA configures the connection: neither writes. SQL that
// does not prepare on the module's schema (a database the module opened
// itself, whose tables modls does not know) is judged by its first
// keyword.
func writes(schema *sqlschema.Schema, sql string) (write, known bool) {
	if p := schema.Prepare(sql); p != nil && p.Err == nil {
		for _, st := range p.Stmts {
			if !st.ReadOnly && !st.Explain && !strings.EqualFold(firstWord(sql[st.Start:st.End]), "PRAGMA") {
				return true, true
			}
		}
		return false, true
	}
	if writeVerb(sql) != "" {
		return true, true
	}
	if isRead(sql) {
		return false, true
	}
	return false, false
}

func check(pass *analysis.Pass, schema *sqlschema.Schema, f *ast.File, c *sqlflow.Call, stack []ast.Node, callbacks map[*ast.FuncLit]bool) {
	call := c.Call
	inSession := false
	for _, n := range stack {
		if lit, ok := n.(*ast.FuncLit); ok && callbacks[lit] {
			inSession = true
		}
	}
	sql, isConst := fw.StringValue(pass.TypesInfo, c.SQL)
	write, known := false, false
	if isConst {
		write, known = writes(schema, sql)
	}
	what := "database write"
	if verb := writeVerb(sql); isConst && verb != "" {
		what += " (" + verb + ")"
	}
	through := c.Target.String()
	if c.Sink != nil {
		through = c.Via()
	}
	switch {
	case c.Target.Recv == "Tx":
		return // a Tx only exists inside a session
	case c.Target.Recv == "DB":
		if !write {
			return
		}
		d := analysis.Diagnostic{
			Pos:      call.Pos(),
			End:      call.End(),
			Category: Doc.ID,
			Message:  fmt.Sprintf("%s through %s outside an IntegritySession", what, through),
		}
		if inSession {
			d.Message = fmt.Sprintf("%s through %s escapes the IntegritySession's transaction; use the callback's tx", what, through)
		} else if fix, ok := wrapFix(pass, f, c, stack, sql); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
		pass.Report(d)
	default: // database/sql: a database the module opened itself
		switch c.Target.Method {
		case "Exec":
			if known && !write {
				return
			}
		case "Query", "QueryRow":
			if !write {
				return
			}
		default:
			return
		}
		pass.Report(analysis.Diagnostic{
			Pos:      call.Pos(),
			End:      call.End(),
			Category: Doc.ID,
			Message:  fmt.Sprintf("%s through %s outside an IntegritySession", what, through),
		})
	}
}

func shortQualifier(p *types.Package) string { return p.Name() }

// wrapFix replaces a statement that runs a write through DB.Query or
// DB.QueryRow and keeps at most its error with an IntegritySession running
// the write through tx.Exec.
func wrapFix(pass *analysis.Pass, f *ast.File, c *sqlflow.Call, stack []ast.Node, sql string) (analysis.SuggestedFix, bool) {
	var none analysis.SuggestedFix
	call := c.Call
	if c.Sink != nil || len(stack) < 2 || len(call.Args) < 2 {
		return none, false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return none, false
	}
	qual, imported := frameworkName(f)
	if qual == "" {
		return none, false
	}
	var importEdit []analysis.TextEdit
	if !imported {
		// The file does not import the framework yet: the fix does, unless
		// the name is taken where the callback is written.
		if scope := pass.Pkg.Scope().Innermost(call.Pos()); scope != nil {
			if s, _ := scope.LookupParent(qual, call.Pos()); s != nil && s != types.Universe {
				return none, false
			}
		}
		importEdit = append(importEdit, fw.AddImport(pass, f, strconv.Quote(fw.Path)))
	}
	// The callback's tx must not hide a tx the arguments use.
	for _, a := range call.Args[1:] {
		shadowed := false
		ast.Inspect(a, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "tx" {
				shadowed = true
			}
			return !shadowed
		})
		if shadowed {
			return none, false
		}
	}
	var lhs string // what receives the session's error
	stmt := stack[len(stack)-2]
	switch s := stmt.(type) {
	case *ast.ExprStmt:
	case *ast.AssignStmt:
		if len(s.Rhs) != 1 || ast.Unparen(s.Rhs[0]) != call || len(s.Lhs) != 2 || !isBlank(s.Lhs[0]) {
			return none, false
		}
		if s.Tok != token.DEFINE && s.Tok != token.ASSIGN {
			return none, false
		}
		errID, ok := s.Lhs[1].(*ast.Ident)
		if !ok {
			return none, false
		}
		tok := s.Tok
		if errID.Name == "_" {
			tok = token.ASSIGN
		}
		lhs = errID.Name + " " + tok.String() + " "
	default:
		return none, false
	}
	var args []string
	for _, a := range call.Args[1:] {
		t, ok := exprText(pass, a)
		if !ok {
			return none, false
		}
		args = append(args, t)
	}
	argList := strings.Join(args, ", ")
	if call.Ellipsis.IsValid() {
		argList += "..."
	}
	recv, ok1 := exprText(pass, sel.X)
	ctx, ok2 := exprText(pass, call.Args[0])
	if !ok1 || !ok2 {
		return none, false
	}
	text := fmt.Sprintf("%s%s.IntegritySession(%s, %s, func(tx *%s.Tx) error {\n_, err := tx.Exec(%s)\nreturn err\n})",
		lhs, recv, ctx, strconv.Quote(purpose(sql)), qual, argList)
	return analysis.SuggestedFix{
		Message:   "Wrap in an IntegritySession",
		TextEdits: append(importEdit, analysis.TextEdit{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}),
	}, true
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// frameworkName is the name f imports the framework under ("" when it is
// imported blank or dot), or "framework" and false when it does not import
// it.
func frameworkName(f *ast.File) (string, bool) {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && p == fw.Path {
			if imp.Name == nil {
				return "framework", true
			}
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return "", true
			}
			return imp.Name.Name, true
		}
	}
	return "framework", false
}

func exprText(pass *analysis.Pass, e ast.Expr) (string, bool) {
	var b bytes.Buffer
	if err := format.Node(&b, pass.Fset, e); err != nil {
		return "", false
	}
	return b.String(), true
}

// purpose describes a write for the integrity log: its verb and its table,
// "insert analytics_events".
func purpose(sql string) string {
	words := sqlWords(sql, 12)
	if len(words) == 0 {
		return "write"
	}
	verb := strings.ToLower(words[0].s)
	if verb == "with" {
		return "write"
	}
	skip := map[string]bool{"OR": true, "REPLACE": true, "ROLLBACK": true, "ABORT": true, "FAIL": true, "IGNORE": true,
		"INTO": true, "FROM": true, "TABLE": true, "INDEX": true, "UNIQUE": true, "VIEW": true, "TRIGGER": true,
		"IF": true, "NOT": true, "EXISTS": true, "TEMP": true, "TEMPORARY": true}
	for _, w := range words[1:] {
		if !skip[strings.ToUpper(w.s)] {
			return verb + " " + w.s
		}
	}
	return verb
}

// writeVerb returns the keyword that makes the SQL a write, upper-cased,
// or "" for SQL that only reads.
func writeVerb(sql string) string {
	words := sqlWords(sql, -1)
	if len(words) == 0 {
		return ""
	}
	first := strings.ToUpper(words[0].s)
	switch first {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER":
		return first
	case "WITH":
		for _, w := range words[1:] {
			switch u := strings.ToUpper(w.s); u {
			case "INSERT", "UPDATE", "DELETE", "REPLACE":
				if !w.call {
					return u
				}
			}
		}
	}
	return ""
}

// isRead reports whether constant SQL given to Exec only reads or
// configures the connection.
func isRead(sql string) bool {
	words := sqlWords(sql, 1)
	if len(words) == 0 {
		return true
	}
	switch strings.ToUpper(words[0].s) {
	case "SELECT", "VALUES", "EXPLAIN", "PRAGMA":
		return true
	}
	return false
}

// word is a keyword or an identifier of SQL text; call is set when "("
// follows it (replace(x, 'a', 'b') is a function, not a statement).
type word struct {
	s    string
	call bool
}

// sqlWords returns up to max keywords and identifiers of sql (all if max
// is negative), leaving out comments and quoted strings and identifiers.
func sqlWords(sql string, max int) []word {
	var out []word
	for i := 0; i < len(sql) && (max < 0 || len(out) < max); {
		c := sql[i]
		switch {
		case strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := strings.IndexByte(sql[i+1:], end)
			if j < 0 {
				return out
			}
			i += j + 2
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			k := j
			for k < len(sql) && (sql[k] == ' ' || sql[k] == '\t' || sql[k] == '\n') {
				k++
			}
			out = append(out, word{sql[i:j], k < len(sql) && sql[k] == '('})
			i = j
		default:
			i++
		}
	}
	return out
}

// firstWord is the first keyword of a statement.
func firstWord(stmt string) string {
	if w := sqlWords(stmt, 1); len(w) > 0 {
		return w[0].s
	}
	return ""
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
