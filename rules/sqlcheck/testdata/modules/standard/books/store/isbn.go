package store

import (
	"context"

	"github.com/modls/modls/framework"
)

// ByISBN reads a column migration 3 dropped.
func ByISBN(ctx context.Context, db *framework.DB, isbn string) (int64, error) {
	var id int64
	err := db.QueryRow(ctx, "SELECT id FROM books_items WHERE isbn = ?", isbn).Scan(&id) // want `^no such column: isbn$`
	return id, err
}
