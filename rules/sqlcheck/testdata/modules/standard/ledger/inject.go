package ledger

import (
	"context"
	"database/sql"
	"strconv"
)

func (m *Module) byID(ctx context.Context, id int64) *sql.Row {
	return m.db.QueryRow(ctx, "SELECT account FROM ledger_entries WHERE id = "+strconv.FormatInt(id, 10)) // want `SQL built from a non-constant string`
}

func (m *Module) byAccount(ctx context.Context, account string, min int) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM ledger_entries WHERE amount > ? AND account = '"+account+"' ORDER BY id", min) // want `SQL built from a non-constant string`
}

func (m *Module) byAmount(ctx context.Context, amount int) (*sql.Rows, error) {
	return m.db.Query(ctx,
		`SELECT id FROM ledger_entries WHERE amount >= `+strconv.Itoa(amount), // want `SQL built from a non-constant string`
	)
}

// No fix: the value is not a whole operand, or the placeholders would
// move.

func (m *Module) like(ctx context.Context, prefix string) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM ledger_entries WHERE account LIKE '"+prefix+"%'") // want `SQL built from a non-constant string`
}

func (m *Module) placeholderAfter(ctx context.Context, account string, min int) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM ledger_entries WHERE account = '"+account+"' AND amount > ?", min) // want `SQL built from a non-constant string`
}

func (m *Module) table(ctx context.Context, name string) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM "+name) // want `SQL built from a non-constant string`
}
