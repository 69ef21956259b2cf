// Package contract is what other modules may use of standard.billing: the
// Invoices service interface and its data types.
package contract

import "context"

// Invoices is the service standard.billing registers as "billing.invoices".
type Invoices interface {
	Create(ctx context.Context, customer string, cents int64) (Invoice, error)
	Get(ctx context.Context, id int64) (Invoice, error)
	MarkPaid(ctx context.Context, id int64) error
	Summary(ctx context.Context, customer string) (Summary, error)
}

// Invoice is one invoice.
type Invoice struct {
	ID       int64  `json:"id"`
	Customer string `json:"customer"`
	Cents    int64  `json:"cents"`
	Paid     bool   `json:"paid"`
	Refunded bool   `json:"refunded"`
}

// Summary is what a customer owes.
type Summary struct {
	Customer  string `json:"customer"`
	Open      int    `json:"open"`
	OpenCents int64  `json:"open_cents"`
}
