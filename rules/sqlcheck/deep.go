package sqlcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
	"github.com/modls/modls/rules/internal/sqlflow"
	"github.com/modls/modls/rules/internal/sqliteapi"
	"github.com/modls/modls/rules/internal/sqlschema"
	"github.com/modls/modls/rules/ruledoc"
)

// sourceOf maps the byte range [offset, offset+n) of the SQL that e
// evaluates to onto the Go source: inside a string literal of e, or of the
// declaration of a constant e names.
func (c *checker) sourceOf(e ast.Expr, offset, n int) (token.Pos, token.Pos, bool) {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return token.NoPos, token.NoPos, false
		}
		start, ok1 := literalPos(x, offset)
		end, ok2 := literalPos(x, offset+n)
		return start, end, ok1 && ok2
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			break
		}
		left, ok := fw.StringValue(c.pass.TypesInfo, x.X)
		if !ok {
			break
		}
		if offset < len(left) {
			return c.sourceOf(x.X, offset, min(n, len(left)-offset))
		}
		return c.sourceOf(x.Y, offset-len(left), n)
	case *ast.Ident, *ast.SelectorExpr:
		var id *ast.Ident
		if sel, ok := x.(*ast.SelectorExpr); ok {
			id = sel.Sel
		} else {
			id = x.(*ast.Ident)
		}
		obj, ok := c.pass.TypesInfo.Uses[id].(*types.Const)
		if !ok || obj.Pkg() != c.pass.Pkg {
			break
		}
		if decl := c.constDecl(obj); decl != nil {
			return c.sourceOf(decl, offset, n)
		}
	}
	return token.NoPos, token.NoPos, false
}

// constDecl is the expression a constant of the package is declared with.
func (c *checker) constDecl(obj *types.Const) ast.Expr {
	var out ast.Expr
	for _, f := range c.pass.Files {
		if f.Pos() > obj.Pos() || obj.Pos() > f.End() {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return out == nil
			}
			for i, name := range vs.Names {
				if c.pass.TypesInfo.Defs[name] == obj && i < len(vs.Values) && len(vs.Values) == len(vs.Names) {
					out = vs.Values[i]
				}
			}
			return false
		})
	}
	return out
}

// literalPos is the position in a string literal of the byte at offset of
// its value.
func literalPos(lit *ast.BasicLit, offset int) (token.Pos, bool) {
	body := lit.Value[1 : len(lit.Value)-1]
	if lit.Value[0] == '`' {
		if strings.Contains(body, "\r") || offset > len(body) {
			return token.NoPos, false
		}
		return lit.Pos() + 1 + token.Pos(offset), true
	}
	i, n := 0, 0
	for n < offset && i < len(body) {
		r, multibyte, tail, err := strconv.UnquoteChar(body[i:], '"')
		if err != nil {
			return token.NoPos, false
		}
		if r < utf8.RuneSelf || !multibyte {
			n++
		} else {
			n += utf8.RuneLen(r)
		}
		i = len(body) - len(tail)
	}
	if n != offset {
		return token.NoPos, false
	}
	return lit.Pos() + 1 + token.Pos(i), true
}

// enclosing returns the function declaration holding n, or nil.
func (c *checker) enclosing(n ast.Node) *ast.FuncDecl {
	f := fileOf(c.pass, n)
	if f == nil {
		return nil
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && fd.Pos() <= n.Pos() && n.End() <= fd.End() {
			return fd
		}
	}
	return nil
}

// parents returns the two nodes that hold n in its function: its parent
// and grandparent.
func (c *checker) parents(n ast.Node) (parent, grandparent ast.Node) {
	fd := c.enclosing(n)
	if fd == nil {
		return nil, nil
	}
	var stack []ast.Node
	ast.Inspect(fd, func(x ast.Node) bool {
		if parent != nil {
			return false
		}
		if x == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if x == n {
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if len(stack) > 1 {
				grandparent = stack[len(stack)-2]
			}
			return false
		}
		if x.Pos() > n.Pos() || x.End() < n.End() {
			return false // n is not inside
		}
		stack = append(stack, x)
		return true
	})
	return parent, grandparent
}

// scans returns the Scan calls that read the rows of a direct query:
// QueryRow(...).Scan(...), and rows.Scan(...) on the variable a Query
// call's rows are assigned to, when nothing else is, in the same function.
func (c *checker) scans(call *sqlflow.Call) []*ast.CallExpr {
	parent, grandparent := c.parents(call.Call)
	switch call.Target.Method {
	case "QueryRow":
		sel, ok := parent.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Scan" {
			return nil
		}
		if sc, ok := grandparent.(*ast.CallExpr); ok && sc.Fun == sel {
			return []*ast.CallExpr{sc}
		}
	case "Query":
		as, ok := parent.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || as.Rhs[0] != call.Call || len(as.Lhs) == 0 {
			return nil
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		if !ok {
			return nil
		}
		v, ok := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
		if !ok || c.flow.Assigned(v) != 1 {
			return nil
		}
		var out []*ast.CallExpr
		ast.Inspect(c.enclosing(call.Call), func(n ast.Node) bool {
			sc, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := sc.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Scan" {
				if x, ok := sel.X.(*ast.Ident); ok && c.pass.TypesInfo.Uses[x] == v {
					out = append(out, sc)
				}
			}
			return true
		})
		return out
	}
	return nil
}

// checkScan compares the Scan targets of a query with its result
// columns: their number, and their Go types with the declared types of
// the table columns they read.
func (c *checker) checkScan(call *sqlflow.Call, st sqliteapi.Stmt) {
	if call.Sink != nil || len(st.Columns) == 0 {
		return
	}
	for _, sc := range c.scans(call) {
		if sc.Ellipsis.IsValid() {
			continue
		}
		if len(sc.Args) != len(st.Columns) {
			var names []string
			for _, col := range st.Columns {
				names = append(names, col.Name)
			}
			c.pass.Report(analysis.Diagnostic{
				Pos: sc.Pos(), End: sc.End(), Category: Doc.ID,
				Message: fmt.Sprintf("Scan has %s but the query returns %s (%s)",
					plural(len(sc.Args), "target", "targets"), plural(len(st.Columns), "column", "columns"), strings.Join(names, ", ")),
				Related: []analysis.RelatedInformation{{Pos: call.SQL.Pos(), End: call.SQL.End(), Message: "the query"}},
			})
			continue
		}
		for i, a := range sc.Args {
			if msg := mismatch(c.pass.TypesInfo.TypeOf(a), st.Columns[i]); msg != "" {
				c.pass.Report(analysis.Diagnostic{
					Pos: a.Pos(), End: a.End(), Category: Doc.ID,
					Message: fmt.Sprintf("Scan target %d %s", i+1, msg),
					Related: []analysis.RelatedInformation{{Pos: call.SQL.Pos(), End: call.SQL.End(), Message: "the query"}},
				})
			}
		}
	}
}

// affinity is the type affinity SQLite gives a declared column type.
func affinity(decl string) string {
	switch {
	case strings.Contains(decl, "INT"):
		return "INTEGER"
	case strings.Contains(decl, "CHAR"), strings.Contains(decl, "CLOB"), strings.Contains(decl, "TEXT"):
		return "TEXT"
	case strings.Contains(decl, "BLOB"), decl == "":
		return "BLOB"
	case strings.Contains(decl, "REAL"), strings.Contains(decl, "FLOA"), strings.Contains(decl, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}

// mismatch says why a Scan target of type t cannot hold the column, when
// that is certain: the column is a table column with a declared type, and
// the target is a number or a bool read from text or a blob, or a
// time.Time read from a column the driver does not parse as a time.
func mismatch(t types.Type, col sqliteapi.Column) string {
	if col.DeclType == "" || col.Origin == "" {
		return ""
	}
	p, ok := t.(*types.Pointer)
	if !ok {
		return ""
	}
	elem := types.Unalias(p.Elem())
	goType := types.TypeString(elem, func(p *types.Package) string { return p.Name() })
	if n, ok := elem.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
		switch col.DeclType {
		case "DATE", "DATETIME", "TIMESTAMP":
			return ""
		}
		return fmt.Sprintf("is time.Time but column %s is declared %s: the driver returns a time.Time only for DATE, DATETIME and TIMESTAMP columns", col.Name, col.DeclType)
	}
	b, ok := elem.Underlying().(*types.Basic)
	if !ok {
		return ""
	}
	if _, named := elem.(*types.Named); named && !isNamedBasic(elem) {
		return ""
	}
	aff := affinity(col.DeclType)
	if b.Info()&(types.IsInteger|types.IsFloat|types.IsBoolean) != 0 && (aff == "TEXT" || aff == "BLOB") {
		return fmt.Sprintf("is %s but column %s is declared %s (%s affinity)", goType, col.Name, col.DeclType, aff)
	}
	return ""
}

// isNamedBasic reports whether t is a named type over a basic type that
// does not implement sql.Scanner itself (a Scanner decides for itself).
func isNamedBasic(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	if _, ok := n.Underlying().(*types.Basic); !ok {
		return false
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Obj().Name() == "Scan" {
			return false
		}
	}
	return true
}

// checkPlan reports, as information, a query that SQLite would run by
// scanning every row of a table that the migrations index, but not on a
// column the query searches by: one that, indexed, would turn SQLite's
// plan from a scan into a search.
func (c *checker) checkPlan(call *sqlflow.Call, sql string, st sqliteapi.Stmt) {
	if !st.ReadOnly || st.Explain || len(st.Columns) == 0 {
		return
	}
	var reads []sqliteapi.ColumnRef
	var tables, readTables map[string]bool
	for _, line := range c.schema.Plan(sql) {
		rest, ok := strings.CutPrefix(line, "SCAN ")
		if !ok || strings.Contains(rest, " USING ") {
			continue
		}
		if tables == nil { // a scan: now what it reads matters
			tables = map[string]bool{}
			for _, t := range c.schema.Tables() {
				tables[t] = true
			}
			reads = c.schema.Reads(sql)
			readTables = map[string]bool{}
			for _, r := range reads {
				readTables[r.Table] = true
			}
		}
		table := strings.Fields(rest)[0]
		if !tables[table] {
			if len(readTables) != 1 {
				continue // an alias of one of several tables
			}
			for t := range readTables {
				table = t
			}
		}
		indexed := c.schema.IndexedColumns(table)
		if len(indexed) == 0 {
			continue
		}
		isIndexed := map[string]bool{}
		for _, ix := range indexed {
			isIndexed[ix] = true
		}
		// The columns the query searches by: those that an index on them
		// would let SQLite search instead of scan, as SQLite plans it.
		var filters []string
		seen := map[string]bool{}
		for _, r := range reads {
			if r.Table != table || r.Column == "" || seen[r.Column] {
				continue
			}
			seen[r.Column] = true
			if isIndexed[r.Column] {
				continue
			}
			for _, l := range c.schema.PlanWithIndex(table, r.Column, sql) {
				if strings.HasPrefix(l, "SEARCH ") && strings.Contains(l, "modls_probe_index") {
					filters = append(filters, r.Column)
					break
				}
			}
		}
		if len(filters) == 0 {
			continue
		}
		sort.Strings(filters)
		c.pass.Report(analysis.Diagnostic{
			Pos: call.SQL.Pos(), End: call.SQL.End(), Category: ruledoc.Category(Doc.ID, ruledoc.Info),
			Message: fmt.Sprintf("query plan %q reads every row of %s: its indexes are on %s, the query searches by %s",
				line, table, strings.Join(dedupe(indexed), ", "), strings.Join(filters, ", ")),
		})
		return
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// checkDroppedColumns reports a migration after which constant queries of
// the module no longer compile, although they did before it: it drops or
// renames a table or column they read. The queries are the package's own
// and those the workspace model records in the module's other packages.
func (c *checker) checkDroppedColumns(flow *sqlflow.Result) {
	var texts []string
	var own []ast.Expr
	for _, mg := range c.migrations {
		texts = append(texts, mg.SQL)
		e, _ := c.exprAt(mg.Pos)
		own = append(own, e)
	}
	inPass := false
	for _, e := range own {
		if e != nil {
			inPass = true
		}
	}
	if !inPass || len(texts) < 2 {
		return
	}
	type query struct {
		sql     string
		pos     token.Pos
		end     token.Pos
		message string
	}
	var queries []query
	for _, b := range c.broken {
		queries = append(queries, query{b.sql, b.at.Pos(), b.at.End(), b.msg})
	}
	passFiles := map[string]bool{}
	for _, f := range c.pass.Files {
		passFiles[filepath.Clean(c.pass.Fset.File(f.FileStart).Name())] = true
	}
	for _, q := range c.module.Queries {
		name := filepath.Clean(q.Pos.Filename)
		if passFiles[name] || strings.HasSuffix(name, "_test.go") {
			continue
		}
		p := c.schema.Prepare(q.SQL)
		if p == nil || p.Err == nil || !strings.HasPrefix(p.Err.Msg, "no such table:") && !strings.HasPrefix(p.Err.Msg, "no such column:") {
			continue
		}
		pos := fw.PositionOf(c.pass, q.Pos.Filename, q.Pos.Offset)
		if !pos.IsValid() {
			continue
		}
		queries = append(queries, query{q.SQL, pos, pos, p.Err.Msg})
	}
	byMigration := map[int][]query{}
	for _, q := range queries {
		// The last prefix of the migrations on which the query compiles:
		// the migration after it took away what the query reads.
		for k := len(texts) - 1; k >= 1; k-- {
			p := sqlschema.For(texts[:k]).Prepare(q.sql)
			if p != nil && p.Err == nil {
				byMigration[k] = append(byMigration[k], q)
				break
			}
		}
	}
	var ks []int
	for k := range byMigration {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	for _, k := range ks {
		e := own[k]
		if e == nil {
			continue
		}
		qs := byMigration[k]
		d := analysis.Diagnostic{
			Pos: e.Pos(), End: e.End(), Category: Doc.ID,
			Message: fmt.Sprintf("migration %d drops or renames what %s (%s)", k+1, plural(len(qs), "query still reads", "queries still read"), qs[0].message),
		}
		for _, q := range qs {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: q.pos, End: q.end, Message: "read here: " + q.message})
		}
		c.pass.Report(d)
	}
}
