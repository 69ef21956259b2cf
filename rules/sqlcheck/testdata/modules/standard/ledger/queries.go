package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/modls/modls/framework"
)

const (
	selectEntry    = "SELECT id, account, amount, note FROM ledger_entries WHERE id = ?"
	selectMisspelt = "SELECT id FROM ledger_entriez WHERE id = ?"
	badColumn      = "SELECT id, amont FROM ledger_entries"
)

// Rejected by SQLite against the module's schema.

func (m *Module) misspeltTable(ctx context.Context, id int64) *sql.Row {
	return m.db.QueryRow(ctx, selectMisspelt, id) // want `no such table: ledger_entriez`
}

func (m *Module) misspeltColumn(ctx context.Context) (*sql.Rows, error) {
	return m.db.Query(ctx, badColumn) // want `no such column: amont`
}

func (m *Module) syntax(ctx context.Context) error {
	return m.db.IntegritySession(ctx, "bad syntax", func(tx *framework.Tx) error {
		_, err := tx.Exec("INSRT INTO ledger_entries (account) VALUES (?)", "a") // want `near "INSRT": syntax error`
		return err
	})
}

func (m *Module) wrongValues(ctx context.Context) error {
	return m.db.IntegritySession(ctx, "wrong values", func(tx *framework.Tx) error {
		_, err := tx.Exec("INSERT INTO ledger_entries VALUES (?, ?)", 1, 2) // want `table ledger_entries has 5 columns but 2 values were supplied`
		return err
	})
}

func (m *Module) otherModulesTable(ctx context.Context) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM audit_runs") // want `no such table: audit_runs`
}

func (m *Module) secondStatement(ctx context.Context) error {
	return m.db.IntegritySession(ctx, "two statements", func(tx *framework.Tx) error {
		_, err := tx.Exec("DELETE FROM ledger_entries; DELETE FROM ledger_notes") // want `no such table: ledger_notes`
		return err
	})
}

func (m *Module) localConstant(ctx context.Context) (*sql.Rows, error) {
	q := "SELECT account FROM ledger_entries WHERE amout > 0"
	return m.db.Query(ctx, q) // want `no such column: amout`
}

// Built from non-constant strings.

func (m *Module) concatenated(ctx context.Context, account string) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM ledger_entries WHERE account = '"+account+"' ORDER BY id") // want `SQL built from a non-constant string; pass values as \? parameters`
}

func (m *Module) sprintf(ctx context.Context, order string) (*sql.Rows, error) {
	return m.db.Query(ctx, fmt.Sprintf("SELECT id FROM ledger_entries ORDER BY %s", order)) // want `SQL built from a non-constant string`
}

func (m *Module) joined(ctx context.Context, cols []string) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM ledger_entries") // want `SQL built from a non-constant string`
}

func (m *Module) throughVariable(ctx context.Context, account string) (*sql.Rows, error) {
	q := "SELECT id FROM ledger_entries"
	if account != "" {
		q += " WHERE account = '" + account + "'"
	}
	return m.db.Query(ctx, q) // want `SQL built from a non-constant string`
}

// Quiet: correct SQL, parameters, and strings built from constants only.

const (
	insertEntry = `INSERT INTO ledger_entries (account, amount, created_at, note)
		VALUES (?, ?, ?, ?) RETURNING id`
	upsertNote = "UPDATE ledger_entries SET note = :note WHERE id = :id"
	readLog    = "SELECT purpose, outcome FROM framework_integrity_log WHERE module = ?"
)

var listByAccount = "SELECT id FROM ledger_entries WHERE account = ? ORDER BY created_at DESC LIMIT ?"

func (m *Module) good(ctx context.Context, account string, limit int) error {
	if _, err := m.db.Query(ctx, listByAccount, account, limit); err != nil {
		return err
	}
	if _, err := m.db.Query(ctx, readLog, "standard.ledger"); err != nil {
		return err
	}
	m.db.QueryRow(ctx, selectEntry, 1)
	m.db.QueryRow(ctx, selectEntry, 2) // the same SQL again
	return m.db.IntegritySession(ctx, "add entry", func(tx *framework.Tx) error {
		var id int64
		if err := tx.QueryRow(insertEntry, account, 10, "now", "").Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(upsertNote, sql.Named("note", "x"), sql.Named("id", id))
		return err
	})
}

func (m *Module) builtFromConstants(ctx context.Context, desc bool) (*sql.Rows, error) {
	q := "SELECT id FROM ledger_entries"
	if desc {
		q += " ORDER BY id DESC"
	}
	cols := []string{"id", "account"}
	if _, err := m.db.Query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM ledger_entries"); err != nil {
		return nil, err
	}
	return m.db.Query(ctx, q)
}

// query is a wrapper: the SQL comes from its callers, which are checked
// where they pass a constant.
func (m *Module) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return m.db.Query(ctx, query, args...)
}

type store struct {
	db    *framework.DB
	query string
}

func (s *store) fromField(ctx context.Context) (*sql.Rows, error) {
	return s.db.Query(ctx, s.query)
}

func (s *store) fromFunction(ctx context.Context) (*sql.Rows, error) {
	return s.db.Query(ctx, queryFor("list"))
}

func queryFor(kind string) string {
	switch kind {
	case "list":
		return "SELECT id FROM ledger_entries"
	}
	return "SELECT 1"
}
