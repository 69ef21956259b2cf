package loans

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/violations/modules/standard/loans/contract"
	"example.com/violations/modules/standard/loans/dbutil"
	"example.com/violations/modules/standard/loans/schema"
	shelves "example.com/violations/modules/standard/shelves/contract"
	"github.com/modls/modls/framework"
)

// Loan is the contract's loan, under a shorter name.
type Loan = contract.Loan

// loanColumns are the columns scanLoan reads, in its order.
const loanColumns = "id, book, member, due, returned"

// errNoRows is compared against, never returned.
var errNoRows = sql.ErrNoRows

// Service is the loans service.
type Service struct {
	db      *framework.DB
	log     *slog.Logger
	shelves shelves.Shelves
	days    int
}

var _ contract.Loans = (*Service)(nil)

func scanLoan(r dbutil.Scanner) (Loan, error) {
	var l Loan
	var returned int64
	if err := r.Scan(&l.ID, &l.Book, &l.Member, &l.Due, &returned); err != nil {
		return Loan{}, err
	}
	l.Returned = returned != 0
	return l, nil
}

// Lend lends a book to a member.
func (s *Service) Lend(ctx context.Context, book int64, member string, days int) (Loan, error) {
	if member == "" {
		return Loan{}, framework.Errorf(framework.CodeInvalidArgument, "member is required")
	}
	if days == 0 {
		days = s.days
	}
	lent, err := dbutil.One[int64](ctx, s.db, "SELECT count(*) FROM "+schema.Table+" WHERE book = ? AND returned = 0", book)
	if err != nil {
		return Loan{}, fmt.Errorf("counting the loans of book %d: %w", book, err) // want MOD008 "^service method Lend returns a plain error made by fmt\\.Errorf$"
	}
	if lent > 0 {
		return Loan{}, framework.Errorf(framework.CodeConflict, "book %d is lent", book)
	}
	loan := Loan{Book: book, Member: member, Due: time.Now().AddDate(0, 0, days)}
	err = s.db.IntegritySession(ctx, "lend a book", func(tx *framework.Tx) error {
		res, err := tx.Exec("INSERT INTO "+schema.Table+" (book, member, due) VALUES (?, ?, ?)", loan.Book, loan.Member, loan.Due)
		if err != nil {
			return err
		}
		loan.ID, err = res.LastInsertId()
		return err
	})
	return loan, err
}

// Return marks a loan returned.
func (s *Service) Return(ctx context.Context, id int64) error {
	var due time.Time
	err := s.db.QueryRow(ctx, "SELECT due FROM "+schema.Table+" WHERE id = ?", id).Scan(&due)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("loan %d: %w", id, contract.ErrNotFound)
	}
	if err != nil {
		return err
	}
	return s.db.IntegritySession(ctx, "return a book", func(tx *framework.Tx) error {
		_, err := tx.Exec("UPDATE "+schema.Table+" SET returned = 1 WHERE id = ?", id)
		return err
	})
}

// Overdue lists the overdue loans of some members.
func (s *Service) Overdue(ctx context.Context, members []string) ([]Loan, error) {
	if len(members) == 0 {
		return nil, nil
	}
	q := "SELECT " + loanColumns + " FROM " + schema.Table + " WHERE member IN (" + strings.Repeat("?, ", len(members)-1) + "?) AND due < ? AND returned = 0"
	args := append(dbutil.Args(members), time.Now())
	return dbutil.All(ctx, s.db, q, scanLoan, args...)
}

// ofMember lists the loans of one member, by the member index.
func (s *Service) ofMember(ctx context.Context, member string) ([]Loan, error) {
	return dbutil.All(ctx, s.db, "SELECT "+loanColumns+" FROM "+schema.Table+" WHERE member = ? ORDER BY due", scanLoan, member)
}

// dueBefore lists a member's loans due before a time; the column was
// renamed due in the first release.
func (s *Service) dueBefore(ctx context.Context, member string, t time.Time) ([]Loan, error) {
	return dbutil.All(ctx, s.db, "SELECT "+loanColumns+" FROM "+schema.Table+" WHERE member = ? AND due_at < ?", scanLoan, member, t) // want MOD006 "^no such column: due_at$"
}

// ofBooks lists the open loans of some books.
func (s *Service) ofBooks(ctx context.Context, books []int64) ([]Loan, error) {
	marks := make([]string, len(books))
	for i := range marks {
		marks[i] = "?"
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE book IN (%s) AND returned = 0", loanColumns, schema.Table, strings.Join(marks, ", "))
	return dbutil.All(ctx, s.db, q, scanLoan, dbutil.Args(books)...)
}

// returnAll marks several loans returned.
func (s *Service) returnAll(ctx context.Context, ids []int64) error {
	return s.db.IntegritySession(ctx, "return books", func(tx *framework.Tx) error {
		_, err := tx.Exec("UPDATE "+schema.Table+" SET returned = 1 WHERE id IN ("+dbutil.Marks(len(ids))+")", dbutil.Args(ids)...)
		return err
	})
}

// titles names the books of some loans, through standard.shelves.
func (s *Service) titles(ctx context.Context, member string) ([]string, error) {
	loans, err := s.ofMember(ctx, member)
	if err != nil || len(loans) == 0 {
		return nil, err
	}
	return s.shelves.Titles(ctx, "loans")
}

// sweep logs the overdue loans until ctx ends.
func (s *Service) sweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := dbutil.One[int64](ctx, s.db, "SELECT count(*) FROM "+schema.Table+" WHERE due < ? AND returned = 0", time.Now()) // want MOD006 "^query plan \"SCAN loans_loans\" reads every row of loans_loans: its indexes are on book, member, the query searches by due, returned$"
		if err != nil {
			s.log.Warn("sweeping the loans", "err", err)
			continue
		}
		s.log.Info("overdue loans", "count", n)
	}
}
