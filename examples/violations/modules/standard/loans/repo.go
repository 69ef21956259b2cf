package loans

import (
	"context"
	"database/sql"

	"example.com/violations/modules/standard/loans/schema"
	"github.com/modls/modls/framework"
)

// repo reads the loans table.
type repo struct{ db *framework.DB }

func (r repo) all(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.Query(ctx, q, args...)
}

func insertLoan(tx *framework.Tx, q string, args ...any) error {
	_, err := tx.Exec(q, args...)
	return err
}

// byMember reads through a method of a small repository type, and
// inserts through a helper given the session's tx.
func (s *Service) byMember(ctx context.Context, member string) error {
	r := repo{db: s.db}
	rows, err := r.all(ctx, "SELECT id FROM "+schema.Table+" WHERE member = ?", member)
	if err != nil {
		return err
	}
	rows.Close()
	rows, err = r.all(ctx, "SELECT idd FROM "+schema.Table+" WHERE member = ?", member) // want MOD006 "^no such column: idd$"
	if err != nil {
		return err
	}
	rows.Close()
	rows, err = r.all(ctx, "DELETE FROM "+schema.Table+" WHERE member = ?", member) // want MOD005 "^database write \\(DELETE\\) through all → DB\\.Query outside an IntegritySession$"
	if err != nil {
		return err
	}
	rows.Close()
	return s.db.IntegritySession(ctx, "insert", func(tx *framework.Tx) error {
		return insertLoan(tx, "INSERT INTO "+schema.Table+" (book, member, due) VALUES (?, ?, datetime('now'))", 1, member)
	})
}
