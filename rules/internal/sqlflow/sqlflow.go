// Package sqlflow finds where application code gives SQL to the database:
// calls of the database's methods (framework.DB and framework.Tx, and
// database/sql's DB, Conn and Tx), and calls of the application's own
// functions that pass a parameter on to one, directly or through other
// such functions. Those functions are SQL sinks: each is exported as an
// analysis fact, so that a helper of another package of the application
// (queryAll(ctx, db, scan, q, args...)) is recognised where it is called.
// MOD005 and MOD006 check the SQL at each call.
package sqlflow

import (
	"fmt"
	"go/ast"
	"go/types"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules/internal/fw"
)

// Analyzer finds the package's SQL calls and exports its SQL sinks.
var Analyzer = &analysis.Analyzer{
	Name:       "sqlflow",
	Doc:        "find the calls that give SQL to the database, directly or through the application's own functions",
	Run:        run,
	ResultType: reflect.TypeOf((*Result)(nil)),
	FactTypes:  []analysis.Fact{new(Sink), new(ShapedResult)},
}

// ShapedResult is the fact of a function of the application that returns a
// string built from constants only, whatever its arguments
// (Placeholders(n) returns "?,?,?"): what it returns may be part of SQL.
type ShapedResult struct {
	// Rep is a representative of what it returns; Exact says it always
	// returns exactly Rep.
	Rep   string
	Exact bool
}

// AFact marks ShapedResult as an analysis fact.
func (*ShapedResult) AFact() {}

func (s *ShapedResult) String() string { return fmt.Sprintf("returns SQL-safe text like %q", s.Rep) }

// Kind is what is known of the text an expression builds.
type Kind int

// The kinds of text, from least known to most dangerous.
const (
	// Unknown: not traced (a parameter, a field, a function's result).
	Unknown Kind = iota
	// Const: a single known string.
	Const
	// Shaped: built from constants only, some repeated an unknown
	// number of times; the text is a representative expansion.
	Shaped
	// Safe: built from constants only, in more than one way.
	Safe
	// Unsafe: a non-constant value is spliced in.
	Unsafe
)

// Value is what is known of the text an expression builds.
type Value struct {
	Kind Kind
	// Text is the string (Const) or a representative expansion (Shaped).
	Text string
	// At is the non-constant part spliced in (Unsafe).
	At ast.Node
}

// Target is the database method that finally receives the SQL.
type Target struct {
	// Recv is "DB" or "Tx" for the framework's, "sql.DB", "sql.Conn" or
	// "sql.Tx" for database/sql's.
	Recv string
	// Method is the method's name without Context: Query, QueryRow,
	// Exec or Prepare.
	Method string
	// Context is set for the Context forms of database/sql.
	Context bool
}

// Raw reports whether the target is database/sql's: a database the module
// opened itself, whose schema modls does not know.
func (t Target) Raw() bool { return strings.HasPrefix(t.Recv, "sql.") }

func (t Target) String() string {
	name := t.Method
	if t.Context {
		name += "Context"
	}
	if t.Raw() {
		return "(*" + t.Recv + ")." + name
	}
	return t.Recv + "." + name
}

// Sink is the fact of a function that passes its parameter SQL on to the
// database.
type Sink struct {
	// SQL is the index of the parameter holding the SQL.
	SQL int
	// Args is the index of the variadic parameter passed on as the
	// statement's arguments, or -1.
	Args int
	// Fixed is the number of arguments the function (and those it calls)
	// gives the statement besides Args, or -1 when unknown.
	Fixed  int
	Target Target
	// Via names the functions the SQL goes through, this one first.
	Via []string
}

// AFact marks Sink as an analysis fact.
func (*Sink) AFact() {}

func (s *Sink) String() string {
	return fmt.Sprintf("sql sink: param %d to %s via %s", s.SQL, s.Target, strings.Join(s.Via, " → "))
}

// Call is one call that gives SQL to the database.
type Call struct {
	Call *ast.CallExpr
	// SQL is the argument holding the SQL.
	SQL ast.Expr
	// Args are the statement's arguments when their number is known
	// (ArgsKnown); a slice passed with ... is known only when it is a
	// composite literal.
	Args      []ast.Expr
	ArgsKnown bool
	// Named is set when an argument is a sql.NamedArg.
	Named  bool
	Target Target
	// Sink is the fact of the application's function called, or nil for
	// a call of the database's method itself.
	Sink   *Sink
	Callee *types.Func
}

// Via names the functions through which the call reaches the database, or
// "" for a direct call.
func (c *Call) Via() string {
	if c.Sink == nil {
		return ""
	}
	return strings.Join(c.Sink.Via, " → ") + " → " + c.Target.String()
}

// Result lists the package's SQL calls in source order.
type Result struct {
	Calls []*Call
	// Sinks are the package's own sink functions.
	Sinks  map[*types.Func]*Sink
	pass   *analysis.Pass
	values *values // made on first use
	// imported caches the sink facts of other packages' functions (nil
	// for none).
	imported map[*types.Func]*Sink
}

// Eval says what is known of the text e builds, tracing local variables
// through their assignments and the application's functions that return
// constant-shaped text.
func (r *Result) Eval(e ast.Expr) Value {
	v := r.vals().eval(e)
	return Value{Kind: Kind(v.kind), Text: v.s, At: v.at}
}

func (r *Result) vals() *values {
	if r.values == nil {
		r.values = newValues(r.pass)
	}
	return r.values
}

// Assigned is the number of assignments to a variable of the package
// other than its declaration's zero value.
func (r *Result) Assigned(v *types.Var) int {
	n := 0
	for _, d := range r.vals().defs[v] {
		if !d.zero {
			n++
		}
	}
	return n
}

func run(pass *analysis.Pass) (any, error) {
	res := &Result{Sinks: map[*types.Func]*Sink{}, imported: map[*types.Func]*Sink{}, pass: pass}
	if !fw.IsApplication(pass) {
		return res, nil
	}
	decls := map[*types.Func]*ast.FuncDecl{}
	var order []*types.Func
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
				decls[fn] = fd
				order = append(order, fn)
			}
		}
	}
	// Find the sinks: a function is one when a SQL call in it takes one
	// of its parameters as the SQL. Repeat until no function is added,
	// for functions calling sinks declared after them.
	for changed := true; changed; {
		changed = false
		for _, fn := range order {
			if res.Sinks[fn] != nil {
				continue
			}
			if s := sinkOf(pass, res, fn, decls[fn]); s != nil {
				res.Sinks[fn] = s
				changed = true
			}
		}
	}
	for _, fn := range order {
		if s := res.Sinks[fn]; s != nil {
			pass.ExportObjectFact(fn, s)
		}
	}
	res.pass = pass
	for _, fn := range order {
		if !fn.Exported() {
			continue
		}
		if rs := fn.Type().(*types.Signature).Results(); rs.Len() != 1 || !isStringish(rs.At(0).Type()) {
			continue
		}
		if r := res.vals().result(fn); r != nil {
			pass.ExportObjectFact(fn, &ShapedResult{Rep: r.s, Exact: r.kind == constValue})
		}
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if c := sqlCall(pass, res, call); c != nil {
					res.Calls = append(res.Calls, c)
				}
			}
			return true
		})
	}
	return res, nil
}

// direct recognises a call of a database method: the index of its SQL
// argument and its target.
func direct(fn *types.Func) (int, Target, bool) {
	if fn == nil {
		return 0, Target{}, false
	}
	name := fn.Name()
	switch {
	case fw.IsMethod(fn, "Tx", name) && (name == "Exec" || name == "Query" || name == "QueryRow"):
		return 0, Target{Recv: "Tx", Method: name}, true
	case fw.IsMethod(fn, "DB", name) && (name == "Query" || name == "QueryRow"):
		return 1, Target{Recv: "DB", Method: name}, true
	case fw.IsSQLMethod(fn):
		recv := fn.Type().(*types.Signature).Recv().Type()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		t := Target{Recv: "sql." + types.Unalias(recv).(*types.Named).Obj().Name(), Method: strings.TrimSuffix(name, "Context")}
		switch name {
		case "Exec", "Query", "QueryRow", "Prepare":
			return 0, t, true
		case "ExecContext", "QueryContext", "QueryRowContext", "PrepareContext":
			t.Context = true
			return 1, t, true
		}
	}
	return 0, Target{}, false
}

// sqlCall describes call if it gives SQL to the database.
func sqlCall(pass *analysis.Pass, res *Result, call *ast.CallExpr) *Call {
	fn := fw.Callee(pass.TypesInfo, call)
	if idx, t, ok := direct(fn); ok {
		if idx >= len(call.Args) {
			return nil
		}
		c := &Call{Call: call, SQL: call.Args[idx], Target: t, Callee: fn}
		if t.Method != "Prepare" {
			c.Args, c.ArgsKnown = statementArgs(pass, call, idx+1)
		}
		c.Named = hasNamed(pass, call.Args[idx+1:])
		return c
	}
	s := sinkFact(pass, res, fn)
	if s == nil || s.SQL >= len(call.Args) {
		return nil
	}
	c := &Call{Call: call, SQL: call.Args[s.SQL], Target: s.Target, Sink: s, Callee: fn}
	if s.Fixed >= 0 {
		if s.Args < 0 {
			c.ArgsKnown = true
		} else {
			c.Args, c.ArgsKnown = statementArgs(pass, call, s.Args)
		}
		if c.ArgsKnown && s.Fixed > 0 {
			// Arguments the helper adds itself stand before the caller's:
			// only their number matters.
			c.Args = append(make([]ast.Expr, s.Fixed), c.Args...)
		}
	}
	if s.Args >= 0 && s.Args < len(call.Args) {
		c.Named = hasNamed(pass, call.Args[s.Args:])
	}
	return c
}

// sinkFact is the sink fact of fn: the package's own, or one imported.
func sinkFact(pass *analysis.Pass, res *Result, fn *types.Func) *Sink {
	if fn == nil {
		return nil
	}
	if s := res.Sinks[fn]; s != nil {
		return s
	}
	if fn.Pkg() == nil || fn.Pkg() == pass.Pkg {
		return nil
	}
	if s, ok := res.imported[fn]; ok {
		return s
	}
	s := new(Sink)
	if !pass.ImportObjectFact(fn, s) {
		s = nil
	}
	res.imported[fn] = s
	return s
}

// statementArgs returns the arguments of call from index from on, and
// whether their number is known: a slice passed with ... counts only when
// it is a composite literal.
func statementArgs(pass *analysis.Pass, call *ast.CallExpr, from int) ([]ast.Expr, bool) {
	if from > len(call.Args) {
		return nil, !call.Ellipsis.IsValid()
	}
	args := call.Args[from:]
	if !call.Ellipsis.IsValid() {
		return args, true
	}
	last := ast.Unparen(args[len(args)-1])
	if lit, ok := last.(*ast.CompositeLit); ok {
		return append(append([]ast.Expr(nil), args[:len(args)-1]...), lit.Elts...), true
	}
	return nil, false
}

// hasNamed reports whether an argument is a sql.NamedArg (sql.Named(...)).
func hasNamed(pass *analysis.Pass, args []ast.Expr) bool {
	for _, a := range args {
		t := pass.TypesInfo.TypeOf(a)
		if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "database/sql" && n.Obj().Name() == "NamedArg" {
			return true
		}
	}
	return false
}

// sinkOf returns the sink fact of fn when a SQL call in its body (function
// literals included: a helper may run its statement in a session's
// callback) takes one of fn's parameters as the SQL.
func sinkOf(pass *analysis.Pass, res *Result, fn *types.Func, fd *ast.FuncDecl) *Sink {
	sig := fn.Type().(*types.Signature)
	params := map[*types.Var]int{}
	hasString := false
	for i := 0; i < sig.Params().Len(); i++ {
		params[sig.Params().At(i)] = i
		hasString = hasString || isString(sig.Params().At(i).Type())
	}
	if !hasString {
		return nil // no parameter can hold SQL
	}
	aliases := localAliases(pass, fd, params)
	paramOf := func(e ast.Expr) (int, bool) {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return 0, false
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		if !ok {
			return 0, false
		}
		if a, ok := aliases[v]; ok {
			v = a
		}
		i, ok := params[v]
		if !ok || !isString(v.Type()) {
			return 0, false
		}
		return i, true
	}
	var found *Sink
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found != nil {
			return found == nil
		}
		c := sqlCall(pass, res, call)
		if c == nil {
			return true
		}
		idx, ok := paramOf(c.SQL)
		if !ok {
			return true
		}
		s := &Sink{SQL: idx, Args: -1, Fixed: -1, Target: c.Target, Via: []string{fn.Name()}}
		if c.Sink != nil {
			s.Via = append(s.Via, c.Sink.Via...)
		}
		s.Args, s.Fixed = forwarded(pass, call, c, sig, params)
		found = s
		return false
	})
	return found
}

// forwarded says how the statement's arguments of call c relate to the
// enclosing function's parameters: the index of its variadic parameter
// passed on with ..., and the number of other arguments given (-1 when
// unknown).
func forwarded(pass *analysis.Pass, call *ast.CallExpr, c *Call, sig *types.Signature, params map[*types.Var]int) (args, fixed int) {
	from := 0 // the index of the call's first statement argument
	inner := 0
	switch {
	case c.Sink == nil:
		idx, _, _ := direct(c.Callee)
		from = idx + 1
	case c.Sink.Fixed < 0:
		return -1, -1
	case c.Sink.Args < 0:
		return -1, c.Sink.Fixed
	default:
		from, inner = c.Sink.Args, c.Sink.Fixed
	}
	if c.Target.Method == "Prepare" {
		return -1, -1
	}
	if from > len(call.Args) {
		return -1, inner
	}
	rest := call.Args[from:]
	if !call.Ellipsis.IsValid() {
		return -1, inner + len(rest)
	}
	last := rest[len(rest)-1]
	id, ok := ast.Unparen(last).(*ast.Ident)
	if ok && sig.Variadic() {
		if v, ok := pass.TypesInfo.Uses[id].(*types.Var); ok && params[v] == sig.Params().Len()-1 && v == sig.Params().At(sig.Params().Len()-1) {
			return params[v], inner + len(rest) - 1
		}
	}
	if lit, ok := ast.Unparen(last).(*ast.CompositeLit); ok {
		return -1, inner + len(rest) - 1 + len(lit.Elts)
	}
	return -1, -1
}

// localAliases maps local variables that are only ever a copy of a
// parameter (q := query) to that parameter.
func localAliases(pass *analysis.Pass, fd *ast.FuncDecl, params map[*types.Var]int) map[*types.Var]*types.Var {
	defs := map[*types.Var][]ast.Expr{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok {
					continue
				}
				v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var)
				if !ok {
					continue
				}
				var rhs ast.Expr
				if len(n.Lhs) == len(n.Rhs) && n.Tok.String() != "+=" {
					rhs = n.Rhs[i]
				}
				defs[v] = append(defs[v], rhs)
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if v, ok := pass.TypesInfo.Defs[id].(*types.Var); ok {
					var rhs ast.Expr
					if len(n.Values) == len(n.Names) {
						rhs = n.Values[i]
					}
					defs[v] = append(defs[v], rhs)
				}
			}
		}
		return true
	})
	out := map[*types.Var]*types.Var{}
	for v, ds := range defs {
		if len(ds) != 1 || ds[0] == nil {
			continue
		}
		id, ok := ast.Unparen(ds[0]).(*ast.Ident)
		if !ok {
			continue
		}
		if p, ok := pass.TypesInfo.Uses[id].(*types.Var); ok {
			if _, isParam := params[p]; isParam {
				out[v] = p
			}
		}
	}
	return out
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}
