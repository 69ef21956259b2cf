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

- (*framework.DB).Query or QueryRow given constant SQL that writes: its first
  keyword is INSERT, UPDATE, DELETE, REPLACE, UPSERT, CREATE, DROP or ALTER, or
  it is a WITH query whose body inserts, updates, deletes or replaces. This is
  reported inside an IntegritySession callback too, where the write escapes
  the session's transaction; use the callback's tx instead.
- Exec and ExecContext of database/sql's DB, Conn and Tx (a module that opened
  a database of its own), unless the constant SQL is a SELECT, VALUES, EXPLAIN
  or PRAGMA; and their Query methods given constant SQL that writes.

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
the statement through tx.Exec and returns its error. The purpose is derived
from the SQL ("insert analytics_events"). Unsafe: the write now runs in a
transaction that is logged, and waits for other sessions; review the purpose.`,
	Fixes: []ruledoc.Fix{{Title: "Wrap in an IntegritySession", Safe: false}},
	Since: "0.1.0",
}
