// Package sqlcheck defines MOD006 (sql-invalid): SQL given to the database
// that SQLite itself rejects against the module's own schema, or SQL built
// from non-constant strings.
package sqlcheck

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD006",
	Name:  "sql-invalid",
	Title: "invalid SQL, or SQL built from non-constant strings",
	What: `Applies the module's migrations (its Setup.Migrate statements, in order) to a
fresh in-memory SQLite database, then prepares, without running, every SQL
text the module gives to the database, and reports what SQLite says:

- SQL that SQLite rejects ("no such table: audit_runz"), on the token SQLite
  points at, inside the Go string literal, when it gives a position (for a
  constant declared elsewhere in the package, the place in its declaration is
  related information); otherwise on the SQL argument;
- a call whose number of arguments differs from the statement's ? parameters
  (fewer fails at run time, more are silently ignored); calls with named
  parameters or sql.Named arguments, and arguments passed as a slice with ...
  other than a composite literal, are not counted;
- a Scan whose number of targets differs from the query's result columns, and
  a Scan target whose Go type cannot hold the table column it reads: a number
  or a bool from a column declared with TEXT or BLOB affinity, a time.Time
  from a column not declared DATE, DATETIME or TIMESTAMP (the only ones the
  driver parses). Scan is followed on QueryRow(...).Scan and on the *sql.Rows
  variable a Query call is assigned to once, in the same function; result
  columns that are expressions, and targets of other types (sql.NullInt64,
  any, a type with its own Scan method), are not checked;
- as information, a query whose EXPLAIN QUERY PLAN scans every row of a table
  that the migrations index, when an index on a column the query searches by
  would let SQLite search instead (SQLite plans the query again with such an
  index to tell); the message quotes the plan's line;
- a migration after which constant queries of the module no longer prepare,
  although they did before it: it drops or renames a table or column they
  read. The finding is on the migration, with each query as related
  information; the queries also get their own "no such column" finding.

SQL is followed where it is given to the database: (*framework.Tx).Exec,
Query and QueryRow, (*framework.DB).Query and QueryRow, and Exec, Query,
QueryRow and Prepare (with their Context forms) of database/sql's DB, Conn
and Tx; and through the application's own functions that pass a parameter
on to one of those (a helper such as queryAll(ctx, db, scan, q, args...), in
the package or in another package of the Go module, generic or not,
through any number of such helpers): the SQL is checked at the call that
writes it, with the helper named in the related information. Methods
called through an interface or a function value are not followed.

The SQL is the constant value of the argument, a local variable assigned
from constants, or text built from constants only. Text built with
strings.Repeat or strings.Join of constant parts (the IN-list idiom,
"IN (" + strings.Repeat("?, ", n-1) + "?)"), fmt.Sprintf of such parts,
other functions of package strings, a function of the application that
returns only such text (a placeholders helper, in any package of the Go
module, known through an analysis fact), or a base string with constant
parts appended conditionally is constant-shaped: a representative expansion
(repeated parts twice, appended parts all present) is checked for missing
tables and columns, not for its syntax or its arguments.

A migration that SQLite rejects is reported on its Migrate argument
("migration 2: ..."); until it is fixed, the module's other SQL is only checked
for syntax errors. The same holds when the schema cannot be read statically
(a Migrate argument that is not a constant), and for SQL given to a database
the module opened itself through database/sql, whose schema modls does not
know. A schema that is not constant is said so once, as information, on the
first Migrate argument that is not a constant. Query plans and dropped columns are checked in non-test files only;
the queries of the module's other packages count for dropped columns as
the workspace model records them (constant SQL given directly to a database
call), those of other modules do not (a module's tables are its own: another
module's query of them is already "no such table").

SQL built by concatenating a non-constant value, by fmt.Sprintf with a
non-constant argument, by strings.Join of non-constant strings and the like,
directly, through a local variable, or given to a helper, is reported as an
injection risk on the SQL argument. SQL held in a function parameter, a
struct field or returned by another function is not traced and stays
quiet.`,
	Why: `A misspelt table or column is otherwise found at run time, on the first request
that reaches the statement, often in production. Checking against the
module's own migrations also catches SQL that reads another module's tables,
which the module does not own. Values spliced into SQL text are the classic
injection hole and also defeat SQLite's statement cache; ? parameters are
never interpreted as SQL.`,
	Bad: `const listRuns = "SELECT id, status FROM audit_runz WHERE status = ?"

func (s *Service) Find(ctx context.Context, target string) (*sql.Rows, error) {
	return s.db.Query(ctx, "SELECT id FROM audit_runs WHERE target = '"+target+"'")
}`,
	Good: `const listRuns = "SELECT id, status FROM audit_runs WHERE status = ?"

func (s *Service) Find(ctx context.Context, target string) (*sql.Rows, error) {
	return s.db.Query(ctx, "SELECT id FROM audit_runs WHERE target = ?", target)
}`,
	Severity: ruledoc.Error,
	Fix: `"Use a ? parameter" rewrites a concatenation of the form "... = " + x (or
"... = '" + x + "'") into "... = ?" and appends x to the call's arguments. It
is offered only when the placeholders before the value match the arguments
already given and none follow it. Unsafe: the value is now bound with its Go
type instead of being spliced as text, which can change how SQLite compares
it; review the result.`,
	Fixes: []ruledoc.Fix{{Title: "Use a ? parameter", Safe: false}},
	Since: "0.1.0",
}
