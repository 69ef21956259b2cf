package books

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/books/store"
)

//go:embed manifest.json
var manifest []byte

const (
	createItems = `CREATE TABLE books_items (
		id        INTEGER PRIMARY KEY,
		title     TEXT    NOT NULL,
		shelf     TEXT    NOT NULL,
		isbn      TEXT    NOT NULL DEFAULT '',
		added_at  TEXT    NOT NULL,
		bought_on DATE
	)`
	indexShelf = "CREATE INDEX books_items_shelf ON books_items(shelf)"
	dropISBN   = "ALTER TABLE books_items DROP COLUMN isbn"
)

type Module struct{ db *framework.DB }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	if err := s.Migrate(createItems, indexShelf); err != nil {
		return err
	}
	return s.Migrate(dropISBN) // want `^migration 3 drops or renames what 2 queries still read \(no such column: isbn\)$`
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}

type book struct {
	ID    int64
	Title string
}

func scanBook(r *sql.Rows) (book, error) {
	var b book
	return b, r.Scan(&b.ID, &b.Title)
}

// Through the module's helpers, in its sub-package.

func (m *Module) misspeltThroughHelper(ctx context.Context) ([]book, error) {
	return store.QueryAll(ctx, m.db, scanBook, "SELECT id, title FROM books_itemz") // want `^no such table: books_itemz$`
}

func (m *Module) goodThroughHelper(ctx context.Context, shelf string) ([]book, error) {
	return store.QueryAll(ctx, m.db, scanBook, "SELECT id, title FROM books_items WHERE shelf = ? ORDER BY shelf", shelf)
}

func (m *Module) twoLevels(ctx context.Context) ([]int64, error) {
	return store.List(ctx, m.db, "SELECT id FROM books_items WHERE shelf = ?", "a", "b") // want `^the SQL takes 1 parameter but the call passes 2 arguments$`
}

func (m *Module) fixedArgument(ctx context.Context) (int64, error) {
	return store.Count(ctx, m.db, "SELECT count(*) FROM books_items WHERE id > ? AND shelf = ?", 7) // want `^the SQL takes 2 parameters but the call passes 1 argument$`
}

func (m *Module) injectedThroughHelper(ctx context.Context, shelf string) ([]book, error) {
	return store.QueryAll(ctx, m.db, scanBook, "SELECT id, title FROM books_items WHERE shelf = '"+shelf+"'") // want `^SQL built from a non-constant string; pass values as \? parameters$`
}

// The IN-list idiom: placeholders built from constants are not values.

func (m *Module) inList(ctx context.Context, ids []int64) ([]book, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := "SELECT id, title FROM books_items WHERE id IN (" + strings.Repeat("?, ", len(ids)-1) + "?)"
	return store.QueryAll(ctx, m.db, scanBook, q, args...)
}

func (m *Module) inListJoined(ctx context.Context, shelves []string) (*sql.Rows, error) {
	marks := make([]string, len(shelves))
	args := make([]any, len(shelves))
	for i, s := range shelves {
		marks[i] = "?"
		args[i] = s
	}
	return m.db.Query(ctx, fmt.Sprintf("SELECT id FROM books_items WHERE shelf IN (%s)", strings.Join(marks, ", ")), args...)
}

func (m *Module) inListAppended(ctx context.Context, ids []int64) (*sql.Rows, error) {
	var marks []string
	var args []any
	for _, id := range ids {
		marks = append(marks, "?")
		args = append(args, id)
	}
	return m.db.Query(ctx, "SELECT titel FROM books_items WHERE id IN ("+strings.Join(marks, ",")+")", args...) // want `^no such column: titel$`
}

func (m *Module) inListHelper(ctx context.Context, ids []int64) (*sql.Rows, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return m.db.Query(ctx, "SELECT id FROM books_items WHERE id IN ("+store.Placeholders(len(ids))+") ORDER BY id", args...)
}

func (m *Module) inListHelperMisspelt(ctx context.Context, ids []int64) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM books_itemz WHERE id IN ("+marks(len(ids))+")") // want `^no such table: books_itemz$`
}

// marks is the package's own placeholders helper.
func marks(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = "?"
	}
	return strings.Join(out, ", ")
}

// Arguments against the statement's parameters.

func (m *Module) tooFew(ctx context.Context, id int64) *sql.Row {
	return m.db.QueryRow(ctx, "SELECT title FROM books_items WHERE id = ? AND shelf = ?", id) // want `^the SQL takes 2 parameters but the call passes 1 argument$`
}

func (m *Module) tooMany(ctx context.Context, id int64) *sql.Row {
	return m.db.QueryRow(ctx, "SELECT title FROM books_items WHERE id = ?", id, "extra") // want `^the SQL takes 1 parameter but the call passes 2 arguments$`
}

func (m *Module) literalSlice(ctx context.Context, id int64) *sql.Row {
	return m.db.QueryRow(ctx, "SELECT title FROM books_items WHERE id = ?", []any{id}...)
}

// Scan targets against the result columns.

func (m *Module) scanCount(ctx context.Context, id int64) (string, error) {
	var title string
	err := m.db.QueryRow(ctx, "SELECT id, title FROM books_items WHERE id = ?", id).Scan(&title) // want `^Scan has 1 target but the query returns 2 columns \(id, title\)$`
	return title, err
}

func (m *Module) scanTypes(ctx context.Context, id int64) error {
	var n int64
	var added time.Time
	var bought time.Time
	return m.db.QueryRow(ctx, "SELECT title, added_at, bought_on FROM books_items WHERE id = ?", id).Scan(
		&n,      // want `^Scan target 1 is int64 but column title is declared TEXT \(TEXT affinity\)$`
		&added,  // want `^Scan target 2 is time.Time but column added_at is declared TEXT: the driver returns a time.Time only for DATE, DATETIME and TIMESTAMP columns$`
		&bought, // a DATE column: the driver parses it
	)
}

func (m *Module) scanRows(ctx context.Context) ([]book, error) {
	rows, err := m.db.Query(ctx, "SELECT id, title, shelf FROM books_items WHERE shelf = ?", "a")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []book
	for rows.Next() {
		var b book
		if err := rows.Scan(&b.ID, &b.Title); err != nil { // want `^Scan has 2 targets but the query returns 3 columns \(id, title, shelf\)$`
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (m *Module) scanGood(ctx context.Context, id int64) (book, error) {
	var b book
	var count sql.NullInt64
	var anything any
	err := m.db.QueryRow(ctx, "SELECT id, title, length(title), shelf FROM books_items WHERE id = ?", id).Scan(&b.ID, &b.Title, &count, &anything)
	return b, err
}

// Query plans: a table indexed on another column than the query uses.

func (m *Module) byTitle(ctx context.Context, title string) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM books_items WHERE title = ?", title) // want `^query plan "SCAN books_items" reads every row of books_items: its indexes are on shelf, the query searches by title$`
}

func (m *Module) byShelf(ctx context.Context, shelf string) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM books_items WHERE shelf = ?", shelf)
}

func (m *Module) everything(ctx context.Context) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id, coalesce(title, ''), shelf FROM books_items ORDER BY added_at DESC")
}

// A column a migration dropped, still read here and in the sub-package.

func (m *Module) byISBN(ctx context.Context, isbn string) *sql.Row {
	return m.db.QueryRow(ctx, "SELECT id FROM books_items WHERE isbn = ?", isbn) // want `^no such column: isbn$`
}
