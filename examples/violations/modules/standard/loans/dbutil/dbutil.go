// Package dbutil holds the generic query helpers of standard.loans.
package dbutil

import (
	"context"
	"strings"

	"github.com/modls/modls/framework"
)

// Scanner is a row or a set of rows being scanned.
type Scanner interface{ Scan(dest ...any) error }

// All runs q with args and scans every row with scan.
func All[T any](ctx context.Context, db *framework.DB, q string, scan func(Scanner) (T, error), args ...any) ([]T, error) {
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

// One runs q with args and scans its single column into a T.
func One[T any](ctx context.Context, db *framework.DB, q string, args ...any) (T, error) {
	var v T
	err := db.QueryRow(ctx, q, args...).Scan(&v)
	return v, err
}

// Marks returns n placeholders for an IN list.
func Marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Args turns values into query arguments.
func Args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
