// Package dbsession defines MOD005 (db-outside-session): a database write
// outside an IntegritySession callback.
package dbsession

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD005",
	Name:  "db-outside-session",
	Title: "database write outside an IntegritySession",
	What: `Reports a write to the database that does not go through the transaction of
an IntegritySession:

- (*framework.DB).Query or QueryRow given constant SQL that writes. This is
  reported inside an IntegritySession callback too, where the write escapes
  the session's transaction; use the callback's tx instead.
- Exec and ExecContext of database/sql's DB, Conn and Tx (a module that opened
  a database of its own), unless the constant SQL only reads; and their Query
  methods given constant SQL that writes.
- the same calls made through the application's own helpers that pass their
  SQL parameter on to one of them (in the package or another package of the
  Go module, followed as MOD006 follows them); on the helper's call, naming
  the chain ("through exec → DB.Query").

Whether SQL writes is SQLite's verdict on the prepared statement
(sqlite3_stmt_readonly) against the module's schema, not its keywords: an
INSERT, UPDATE, DELETE, REPLACE, a WITH ... DELETE, DDL, writes; a SELECT
(whatever words its strings hold) does not. EXPLAIN runs nothing and a PRAGMA
configures the connection: neither counts as a write. SQL that does not
prepare on the module's schema (a database the module opened itself, whose
tables modls does not know) is judged by its first keyword (INSERT, UPDATE,
DELETE, REPLACE, UPSERT, CREATE, DROP, ALTER, or a WITH whose body writes);
the verb in the message is that keyword, for reading only.

Calls of (*framework.Tx) are always quiet: a Tx only exists inside a session.
SQL that is not a constant is left to MOD006. Test files are not checked:
tests may write fixtures directly. The diagnostic is on the call.`,
	Why: `IntegritySession is how a module writes: one transaction, rolled back on an
error or a panic, foreign keys checked before commit, and a row in the
framework's integrity log naming the module and the purpose. A write outside
it can leave half-done changes behind, skips the foreign-key check, and is
invisible in the integrity log; on SQLite it can also contend with the
sessions that the framework serialises.`,
	Bad: `func (s *Service) Track(ctx context.Context, name string) error {
	_, err := s.db.Query(ctx, "INSERT INTO analytics_events (name) VALUES (?)", name)
	return err
}`,
	Good: `func (s *Service) Track(ctx context.Context, name string) error {
	return s.db.IntegritySession(ctx, "track event", func(tx *framework.Tx) error {
		_, err := tx.Exec("INSERT INTO analytics_events (name) VALUES (?)", name)
		return err
	})
}`,
	Severity: ruledoc.Error,
	Fix: `"Wrap in an IntegritySession" replaces a DB.Query or DB.QueryRow statement whose
rows are discarded (an expression statement, or an assignment of the error
alone: "_, err := db.Query(...)") with an IntegritySession whose callback runs
the statement through tx.Exec and returns its error, and imports the
framework if the file does not. The purpose is derived from the SQL ("insert
analytics_events"). Writes through a helper have no fix. Unsafe: the write now runs in a
transaction that is logged, and waits for other sessions; review the purpose.`,
	Fixes: []ruledoc.Fix{{Title: "Wrap in an IntegritySession", Safe: false}},
	Since: "0.1.0",
}
