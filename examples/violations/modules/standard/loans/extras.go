package loans

import (
	"context"
	"os"

	"example.com/violations/modules/standard/loans/contract"
	"example.com/violations/modules/standard/loans/dbutil"
	fw "github.com/modls/modls/framework"
)

// DB is the framework's handle, under the module's own name.
type DB = fw.DB

// errGone is the contract's coded sentinel under another name.
var errGone = contract.ErrNotFound

// shelvesService names standard.shelves's service without its contract.
const shelvesService = "shelves.service"

// Forget deletes a returned loan.
func (s *Service) Forget(ctx context.Context, id int64) error {
	var db *DB = s.db
	if id <= 0 {
		return errGone
	}
	if id > 1<<40 {
		return contract.ErrNotFound
	}
	return db.IntegritySession(ctx, "forget a loan", func(tx *fw.Tx) error {
		_, err := tx.Exec("DELETE FROM loans_loans WHERE id = ? AND returned = 1", id)
		return err
	})
}

// purge deletes through the aliased handle, outside a session.
func purge(ctx context.Context, db *DB) error {
	_, err := db.Query(ctx, "DELETE FROM loans_loans WHERE returned = 1") // want MOD005 "^database write \\(DELETE\\) through DB\\.Query outside an IntegritySession$"
	return err
}

// lookupShelves finds standard.shelves by a local constant.
func lookupShelves(app *fw.App) error {
	_, err := fw.Service[any](app, shelvesService)
	return err
}

// marks is pure: Setup may call it.
func marks() string { return dbutil.Marks(3) }

// readConfig reads a file: Setup may not call it.
func readConfig() ([]byte, error) { return os.ReadFile("loans.json") }
