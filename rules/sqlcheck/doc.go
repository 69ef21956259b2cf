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
fresh in-memory SQLite database, then compiles every constant SQL string the
module gives to the database: (*framework.Tx).Exec, Query and QueryRow,
(*framework.DB).Query and QueryRow, and Exec, Query, QueryRow and Prepare (with
their Context forms) of database/sql's DB, Conn and Tx. SQLite's own message is
reported on the SQL argument ("no such table: audit_runz"). The statements are
compiled, never run.

A migration that SQLite rejects is reported on its Migrate argument
("migration 2: ..."); until it is fixed, the module's other SQL is only checked
for syntax errors. The same holds when the schema cannot be read statically
(a Migrate argument that is not a constant) and for SQL given to a database the
module opened itself through database/sql, whose schema modls does not know.

SQL built by concatenating a non-constant value, by fmt.Sprintf with
non-constant arguments, by strings.Join and the like, directly or through a
local variable, is reported as an injection risk on the SQL argument. SQL held
in a function parameter, a struct field or returned by another function is not
traced and stays quiet.`,
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
