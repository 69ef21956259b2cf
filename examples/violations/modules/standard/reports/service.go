package reports

import (
	"context"
	"strings"

	billingmodule "example.com/violations/modules/standard/billing" // want MOD010 "import of standard.billing's package example.com/violations/modules/standard/billing; import only its contract"
	billing "example.com/violations/modules/standard/billing/contract"
	"github.com/modls/modls/framework"
)

// Service is the "reports.service" service.
type Service struct {
	settings *Settings
	invoices billing.Invoices
}

// Report is what a customer owes.
type Report struct {
	Title     string `json:"title"`
	Customer  string `json:"customer"`
	Open      int    `json:"open"`
	OpenCents int64  `json:"open_cents"`
	Currency  string `json:"currency"`
}

// Monthly returns the report of what customer owes.
func (s *Service) Monthly(ctx context.Context, customer string) (Report, error) {
	customer = strings.TrimSpace(customer)
	if customer == "" {
		return Report{}, framework.Errorf(framework.CodeInvalidArgument, "customer is empty")
	}
	sum, err := s.invoices.Summary(ctx, customer)
	if err != nil {
		return Report{}, framework.AsError(err)
	}
	currency := s.settings.Currency
	if currency == "" {
		currency = billingmodule.DefaultCurrency
	}
	return Report{Title: s.settings.Title, Customer: customer, Open: sum.Open, OpenCents: sum.OpenCents, Currency: currency}, nil
}
