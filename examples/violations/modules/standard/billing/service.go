package billing

import (
	"context"
	"database/sql"
	"errors"

	"example.com/violations/modules/standard/billing/contract"
	"github.com/modls/modls/framework"
)

// Service is the "billing.invoices" service.
type Service struct {
	db       *framework.DB
	settings *Settings
}

var _ contract.Invoices = (*Service)(nil)

// internal returns the *framework.Error in err's chain, if there is one, and
// otherwise wraps err as an internal error that says what failed.
func internal(err error, what string) *framework.Error {
	var fe *framework.Error
	if errors.As(err, &fe) {
		return fe
	}
	return framework.Errorf(framework.CodeInternal, "%s: %w", what, err)
}

// Create issues an invoice of cents to customer.
func (s *Service) Create(ctx context.Context, customer string, cents int64) (contract.Invoice, error) {
	if customer == "" {
		return contract.Invoice{}, framework.Errorf(framework.CodeInvalidArgument, "customer is empty")
	}
	if cents <= 0 || cents > s.settings.MaxCents {
		return contract.Invoice{}, framework.Errorf(framework.CodeInvalidArgument, "cents %d is outside 1..%d", cents, s.settings.MaxCents)
	}
	inv := contract.Invoice{Customer: customer, Cents: cents}
	err := s.db.IntegritySession(ctx, "create invoice", func(tx *framework.Tx) error {
		res, err := tx.Exec(`INSERT INTO billing_invoices (customer, cents) VALUES (?, ?)`, customer, cents)
		if err != nil {
			return err
		}
		inv.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return contract.Invoice{}, internal(err, "creating the invoice")
	}
	return inv, nil
}

// Get returns an invoice.
func (s *Service) Get(ctx context.Context, id int64) (contract.Invoice, error) {
	if id <= 0 {
		return contract.Invoice{}, framework.Errorf(framework.CodeInvalidArgument, "invoice id %d is not positive", id)
	}
	var inv contract.Invoice
	err := s.db.QueryRow(ctx, `SELECT id, customer, cents, paid, refunded FROM billing_invoices WHERE id = ?`, id).
		Scan(&inv.ID, &inv.Customer, &inv.Cents, &inv.Paid, &inv.Refunded)
	if errors.Is(err, sql.ErrNoRows) {
		return contract.Invoice{}, framework.Errorf(framework.CodeNotFound, "no invoice %d", id)
	}
	if err != nil {
		return contract.Invoice{}, framework.Errorf(framework.CodeInternal, "reading invoice %d: %w", id, err)
	}
	return inv, nil
}

// MarkPaid records the payment of an open invoice.
func (s *Service) MarkPaid(ctx context.Context, id int64) error {
	if id <= 0 {
		return framework.Errorf(framework.CodeInvalidArgument, "invoice id %d is not positive", id)
	}
	err := s.db.IntegritySession(ctx, "mark invoice paid", func(tx *framework.Tx) error {
		res, err := tx.Exec(`UPDATE billing_invoices SET paid = 1 WHERE id = ? AND paid = 0`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return framework.Errorf(framework.CodeConflict+".not_open", "invoice %d is not an open invoice", id)
		}
		return nil
	})
	if err != nil {
		return internal(err, "marking the invoice paid")
	}
	return nil
}

// Summary returns the number and total of a customer's open invoices.
func (s *Service) Summary(ctx context.Context, customer string) (contract.Summary, error) { // want MOD011 "no test in module standard.billing references service method Summary"
	if customer == "" {
		return contract.Summary{}, framework.Errorf(framework.CodeInvalidArgument, "customer is empty")
	}
	sum := contract.Summary{Customer: customer}
	err := s.db.QueryRow(ctx, `SELECT count(*), coalesce(sum(cents), 0) FROM billing_invoices WHERE customer = ? AND paid = 0`, customer).
		Scan(&sum.Open, &sum.OpenCents)
	if err != nil {
		return contract.Summary{}, framework.Errorf(framework.CodeInternal, "summing %s's invoices: %w", customer, err)
	}
	return sum, nil
}

// Refund marks a paid invoice as refunded.
func (s *Service) Refund(ctx context.Context, id int64) error { // want MOD002 "exported method Refund has no ServiceMethod entry"
	if id <= 0 {
		return framework.Errorf(framework.CodeInvalidArgument, "invoice id %d is not positive", id)
	}
	err := s.db.IntegritySession(ctx, "refund invoice", func(tx *framework.Tx) error {
		res, err := tx.Exec(`UPDATE billing_invoices SET refunded = 1 WHERE id = ? AND paid = 1 AND refunded = 0`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return framework.Errorf(framework.CodeConflict+".not_paid", "invoice %d is not a paid, unrefunded invoice", id)
		}
		return nil
	})
	if err != nil {
		return internal(err, "refunding the invoice")
	}
	return nil
}
