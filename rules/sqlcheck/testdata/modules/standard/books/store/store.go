// Package store holds the module's query helpers: they pass the SQL their
// callers give them on to the database, so the SQL is checked where the
// callers write it.
package store

import (
	"context"
	"database/sql"
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

// Count runs a query returning one number for one id.
func Count(ctx context.Context, db *framework.DB, q string, id int64) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, q, id).Scan(&n)
	return n, err
}

// List goes through QueryAll.
func List(ctx context.Context, db *framework.DB, q string, args ...any) ([]int64, error) {
	return QueryAll(ctx, db, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, q, args...)
}

// Placeholders returns n comma-separated placeholders for an IN list.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
