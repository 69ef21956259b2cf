// Package store holds standard.shelves's helpers: SQL given to QueryAll is
// checked where the module writes it, and what LoadSeed does is known to
// the module's Setup.
package store

import (
	"context"
	"database/sql"
	"os"
	"strings"

	"github.com/modls/modls/framework"
)

// QueryAll runs q with args and scans every row with scan.
func QueryAll[T any](ctx context.Context, db *framework.DB, scan func(*sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Exec runs a statement through the DB, for its callers.
func Exec(ctx context.Context, db *framework.DB, q string, args ...any) error {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	return rows.Close()
}

// Placeholders returns n comma-separated placeholders for an IN list.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// LoadSeed reads the seed file.
func LoadSeed(name string) ([]byte, error) {
	return readFile(name)
}

func readFile(name string) ([]byte, error) {
	return os.ReadFile(name)
}
