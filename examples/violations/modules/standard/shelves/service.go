package shelves

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"example.com/violations/modules/standard/shelves/contract"
	"example.com/violations/modules/standard/shelves/store"
	"github.com/modls/modls/framework"
)

// errEmptyShelf carries no code.
var errEmptyShelf = errors.New("empty shelf name")

// Service is the shelves service.
type Service struct{ db *framework.DB }

func scanTitle(r *sql.Rows) (string, error) {
	var t string
	return t, r.Scan(&t)
}

// Titles lists the titles of a shelf.
func (s *Service) Titles(ctx context.Context, shelf string) ([]string, error) {
	switch shelf {
	case "":
		return nil, errEmptyShelf // want MOD008 "^service method Titles returns errEmptyShelf, a plain error made by errors\\.New$"
	case "attic":
		return nil, contract.ErrGone // want MOD008 "^service method Titles returns contract\\.ErrGone, a plain error made by errors\\.New$"
	}
	return store.QueryAll(ctx, s.db, scanTitle, "SELECT title FROM shelves_bookz WHERE shelf = ?", shelf) // want MOD006 "^no such table: shelves_bookz$"
}

// byIDs reads several books: the IN list is built from placeholders only.
func (s *Service) byIDs(ctx context.Context, ids []int64) ([]string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := "SELECT title FROM shelves_books WHERE id IN (" + strings.Repeat("?, ", len(ids)-1) + "?)"
	if _, err := store.QueryAll(ctx, s.db, scanTitle, q, args...); err != nil {
		return nil, err
	}
	return store.QueryAll(ctx, s.db, scanTitle, "SELECT title FROM shelves_books WHERE id IN ("+store.Placeholders(len(ids))+") ORDER BY title", args...)
}

// count passes one argument too few.
func (s *Service) count(ctx context.Context, shelf string) (int64, error) {
	var n int64
	err := s.db.QueryRow(ctx, "SELECT count(*) FROM shelves_books WHERE shelf = ? AND title <> ?", shelf).Scan(&n) // want MOD006 "^the SQL takes 2 parameters but the call passes 1 argument$"
	return n, err
}

// first scans into too few targets.
func (s *Service) first(ctx context.Context) (string, error) {
	var title string
	err := s.db.QueryRow(ctx, "SELECT id, title FROM shelves_books ORDER BY id LIMIT 1").Scan(&title) // want MOD006 "^Scan has 1 target but the query returns 2 columns \\(id, title\\)$"
	return title, err
}

// shelfOf scans a TEXT column into a number.
func (s *Service) shelfOf(ctx context.Context, id int64) (int64, error) {
	var shelf int64
	err := s.db.QueryRow(ctx, "SELECT shelf FROM shelves_books WHERE id = ?", id).Scan(
		&shelf, // want MOD006 "^Scan target 1 is int64 but column shelf is declared TEXT \\(TEXT affinity\\)$"
	)
	return shelf, err
}

// byTitle searches a column no index covers.
func (s *Service) byTitle(ctx context.Context, title string) ([]string, error) {
	return store.QueryAll(ctx, s.db, scanTitle, "SELECT title FROM shelves_books WHERE title = ?", title) // want MOD006 "^query plan \"SCAN shelves_books\" reads every row of shelves_books: its indexes are on shelf, the query searches by title$"
}

// byISBN reads the column migration 3 drops.
func (s *Service) byISBN(ctx context.Context, isbn string) ([]string, error) {
	return store.QueryAll(ctx, s.db, scanTitle, "SELECT title FROM shelves_books WHERE isbn = ?", isbn) // want MOD006 "^no such column: isbn$"
}

// shelve writes through the helper, outside a session.
func (s *Service) shelve(ctx context.Context, shelf, title string) error {
	return store.Exec(ctx, s.db, "INSERT INTO shelves_books (shelf, title) VALUES (?, ?)", shelf, title) // want MOD005 "^database write \\(INSERT\\) through Exec → DB\\.Query outside an IntegritySession$"
}
