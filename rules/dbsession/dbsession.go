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
)

// Analyzer reports database writes outside an IntegritySession.
var Analyzer = &analysis.Analyzer{
	Name: Doc.ID,
	Doc:  Doc.AnalyzerDoc(),
	URL:  Doc.URL(),
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	if _, m := fw.Module(pass); m == nil {
		return nil, nil
	}
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
			if call, ok := n.(*ast.CallExpr); ok {
				check(pass, f, call, stack, callbacks)
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

func check(pass *analysis.Pass, f *ast.File, call *ast.CallExpr, stack []ast.Node, callbacks map[*ast.FuncLit]bool) {
	fn := fw.Callee(pass.TypesInfo, call)
	if fn == nil {
		return
	}
	inSession := false
	for _, n := range stack {
		if lit, ok := n.(*ast.FuncLit); ok && callbacks[lit] {
			inSession = true
		}
	}
	switch name := fn.Name(); {
	case fw.IsMethod(fn, "DB", name) && (name == "Query" || name == "QueryRow"):
		if len(call.Args) < 2 {
			return
		}
		sql, ok := fw.StringValue(pass.TypesInfo, call.Args[1])
		verb := writeVerb(sql)
		if !ok || verb == "" {
			return
		}
		d := analysis.Diagnostic{
			Pos:      call.Pos(),
			End:      call.End(),
			Category: Doc.ID,
			Message:  fmt.Sprintf("database write (%s) through DB.%s outside an IntegritySession", verb, name),
		}
		if inSession {
			d.Message = fmt.Sprintf("database write (%s) through DB.%s escapes the IntegritySession's transaction; use the callback's tx", verb, name)
		} else if fix, ok := wrapFix(pass, f, call, stack, sql); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
		pass.Report(d)
	case fw.IsSQLMethod(fn):
		idx := 0
		if strings.HasSuffix(name, "Context") {
			idx = 1
		}
		if len(call.Args) <= idx {
			return
		}
		sql, isConst := fw.StringValue(pass.TypesInfo, call.Args[idx])
		verb := writeVerb(sql)
		switch strings.TrimSuffix(name, "Context") {
		case "Exec":
			if isConst && verb == "" && isRead(sql) {
				return
			}
		case "Query", "QueryRow":
			if !isConst || verb == "" {
				return
			}
		default:
			return
		}
		what := "database write"
		if verb != "" {
			what += " (" + verb + ")"
		}
		recv := fn.Type().(*types.Signature).Recv().Type()
		pass.Report(analysis.Diagnostic{
			Pos:      call.Pos(),
			End:      call.End(),
			Category: Doc.ID,
			Message:  fmt.Sprintf("%s through (%s).%s outside an IntegritySession", what, types.TypeString(recv, shortQualifier), name),
		})
	}
}

func shortQualifier(p *types.Package) string { return p.Name() }

// wrapFix replaces a statement that runs a write through DB.Query or
// DB.QueryRow and keeps at most its error with an IntegritySession running
// the write through tx.Exec.
func wrapFix(pass *analysis.Pass, f *ast.File, call *ast.CallExpr, stack []ast.Node, sql string) (analysis.SuggestedFix, bool) {
	var none analysis.SuggestedFix
	if len(stack) < 2 || len(call.Args) < 2 {
		return none, false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return none, false
	}
	qual := frameworkName(f)
	if qual == "" {
		return none, false
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
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}},
	}, true
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// frameworkName is the name f imports the framework under, or "".
func frameworkName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && p == fw.Path {
			if imp.Name == nil {
				return "framework"
			}
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return ""
			}
			return imp.Name.Name
		}
	}
	return ""
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

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
