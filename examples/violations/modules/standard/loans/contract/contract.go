// Package contract is what other modules may use of standard.loans.
package contract

import (
	"context"
	"time"

	"github.com/modls/modls/framework"
)

const prefix = "loans"

// ServiceName is the name standard.loans registers its service under.
const ServiceName = prefix + ".service"

// ErrNotFound is returned for a loan that does not exist: it carries a code.
var ErrNotFound = framework.Errorf(framework.CodeNotFound, "no such loan")

// Loan is one book lent to one member.
type Loan struct {
	ID       int64     `json:"id"`
	Book     int64     `json:"book"`
	Member   string    `json:"member"`
	Due      time.Time `json:"due"`
	Returned bool      `json:"returned"`
}

// Loans is the loans service.
type Loans interface {
	Lend(ctx context.Context, book int64, member string, days int) (Loan, error)
	Return(ctx context.Context, id int64) error
	Overdue(ctx context.Context, members []string) ([]Loan, error)
}
