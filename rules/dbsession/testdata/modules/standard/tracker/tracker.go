package tracker

import (
	"context"
	"database/sql"
	_ "embed"

	fwk "github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ db *fwk.DB }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *fwk.Setup) error {
	return s.Migrate("CREATE TABLE tracker_events (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
}

func (m *Module) Start(ctx context.Context, app *fwk.App) error {
	m.db = app.DB()
	return nil
}

const insertEvent = "INSERT INTO tracker_events (name) VALUES (?)"

// Writes outside a session, with the fix.

func (m *Module) track(ctx context.Context, name string) error {
	_, err := m.db.Query(ctx, insertEvent, name) // want `database write \(INSERT\) through DB.Query outside an IntegritySession`
	return err
}

func (m *Module) forget(ctx context.Context, id int64) {
	m.db.QueryRow(ctx, "DELETE FROM tracker_events WHERE id = ?", id) // want `database write \(DELETE\) through DB.QueryRow outside an IntegritySession`
}

func (m *Module) rename(ctx context.Context, id int64, name string) error {
	if _, err := m.db.Query( // want `database write \(UPDATE\) through DB.Query outside an IntegritySession`
		ctx, `
		-- keep the name short
		update tracker_events SET name = ? WHERE id = ?`, name, id); err != nil {
		return err
	}
	return nil
}

func (m *Module) purge(ctx context.Context, args ...any) {
	var err error
	_, err = m.db.Query(ctx, "WITH old AS (SELECT id FROM tracker_events LIMIT 10) DELETE FROM tracker_events WHERE id IN old", args...) // want `database write \(DELETE\) through DB.Query outside an IntegritySession`
	_ = err
}

// Writes outside a session, without a fix: the rows are used.

func (m *Module) insertReturning(ctx context.Context, name string) (int64, error) {
	var id int64
	err := m.db.QueryRow(ctx, insertEvent+" RETURNING id", name).Scan(&id) // want `database write \(INSERT\) through DB.QueryRow outside an IntegritySession`
	return id, err
}

func (m *Module) insertRows(ctx context.Context, name string) error {
	rows, err := m.db.Query(ctx, insertEvent, name) // want `database write \(INSERT\) through DB.Query outside an IntegritySession`
	if err != nil {
		return err
	}
	return rows.Close()
}

// A write through the DB inside a callback escapes the session.

func (m *Module) escapes(ctx context.Context, name string) error {
	return m.db.IntegritySession(ctx, "track", func(tx *fwk.Tx) error {
		_, err := m.db.Query(ctx, insertEvent, name) // want `database write \(INSERT\) through DB.Query escapes the IntegritySession's transaction; use the callback's tx`
		return err
	})
}

// Quiet: writes through the session's tx, reads through the DB.

func (m *Module) good(ctx context.Context, name string) error {
	if _, err := m.db.Query(ctx, "SELECT id, name FROM tracker_events"); err != nil {
		return err
	}
	m.db.QueryRow(ctx, "WITH recent AS (SELECT id FROM tracker_events) SELECT count(*) FROM recent")
	m.db.QueryRow(ctx, "SELECT replace(name, 'a', 'b') FROM tracker_events WHERE name <> 'DELETE'")
	m.db.QueryRow(ctx, "/* INSERT */ SELECT 1")
	return m.db.IntegritySession(ctx, "track event", func(tx *fwk.Tx) error {
		if _, err := tx.Exec(insertEvent, name); err != nil {
			return err
		}
		rows, err := tx.Query("DELETE FROM tracker_events WHERE name = '' RETURNING id")
		if err != nil {
			return err
		}
		rows.Close()
		return insertWith(tx, name)
	})
}

// insertWith is called with the session's tx.
func insertWith(tx *fwk.Tx, name string) error {
	_, err := tx.Exec(insertEvent, name)
	return err
}

// The SQL is not a constant: MOD006 reports it, not this rule.
func (m *Module) dynamic(ctx context.Context, q string) {
	m.db.Query(ctx, q)
}

// exec runs a statement for its callers: the SQL is checked where they
// write it.
func (m *Module) exec(ctx context.Context, q string, args ...any) error {
	rows, err := m.db.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	return rows.Close()
}

func (m *Module) throughHelper(ctx context.Context, name string) error {
	return m.exec(ctx, insertEvent, name) // want `database write \(INSERT\) through exec → DB.Query outside an IntegritySession`
}

func (m *Module) readThroughHelper(ctx context.Context) error {
	return m.exec(ctx, "SELECT count(*) FROM tracker_events WHERE name = ?", "x")
}

// Read or write is SQLite's verdict on the prepared statement: a PRAGMA
// configures and EXPLAIN runs nothing.
func (m *Module) decidedBySQLite(ctx context.Context) {
	m.db.QueryRow(ctx, "PRAGMA user_version")
	m.db.QueryRow(ctx, "EXPLAIN QUERY PLAN DELETE FROM tracker_events")
	m.db.QueryRow(ctx, "VALUES (1), (2)")
}

var _ = sql.ErrNoRows
