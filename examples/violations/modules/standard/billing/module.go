// Package billing is the standard.billing module: invoices that are issued,
// paid and refunded. Other modules use it through its contract package and
// the "billing.invoices" service.
//
// Most of this module is correct. Its deliberate violations are in the
// ServiceMethod entries below (MOD003), the undocumented Refund method
// (MOD002) and the untested Summary method (MOD011).
package billing

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// serviceName is the service this module registers.
const serviceName = "billing.invoices"

const (
	createInvoicesTable = `CREATE TABLE billing_invoices (
	id       INTEGER PRIMARY KEY,
	customer TEXT    NOT NULL,
	cents    INTEGER NOT NULL CHECK (cents > 0),
	paid     INTEGER NOT NULL DEFAULT 0
)`
	addRefundedColumn = `ALTER TABLE billing_invoices ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0`
)

// Module is the standard.billing module.
type Module struct {
	settings *Settings
	svc      *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the module's settings, schema, service and routes.
func (m *Module) Setup(s *framework.Setup) error {
	settings, err := framework.Settings[Settings](s)
	if err != nil {
		return err
	}
	m.settings = settings
	m.svc.settings = settings
	if err := s.Migrate(createInvoicesTable, addRefundedColumn); err != nil {
		return err
	}
	if err := s.RegisterService(serviceName, m.svc,
		framework.ServiceMethod{
			Name:        "Create",
			Description: "Issues an invoice of cents to a customer.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "customer", Type: "string", Description: "who is billed; required"},
				{Name: "cents", Type: "int64", Description: "the amount in cents, 1 to the max_cents setting"},
			},
			Returns: "(contract.Invoice, error)",
			Example: `inv, err := svc.Create(ctx, "acme", 12000)`,
		},
		framework.ServiceMethod{
			Name:        "Get",
			Description: "Returns an invoice; not_found if there is none with that id.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the invoice's id"},
			},
			Returns: "(contract.Invoice, error)",
			Example: `inv, err := svc.Get(ctx, "INV-7")`, // want MOD003 `Example does not type-check: cannot use "INV-7" \(untyped string constant\) as int64 value in argument to svc.Get`
		},
		framework.ServiceMethod{
			Name:        "MarkPaid",
			Description: "Records the payment of an open invoice; conflict if it is not open.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the invoice's id"},
			},
			Returns: "(bool, error)", // want MOD003 `Returns \(bool, error\) disagrees with the signature's error`
			Example: `err := svc.MarkPaid(ctx, 42)`,
		},
		framework.ServiceMethod{
			Name:        "Summary",
			Description: "Returns the number and total of a customer's open invoices.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "customer", Type: "int64", Description: "the customer"}, // want MOD003 "Param customer is documented as int64, the signature says string"
			},
			Returns: "(contract.Summary, error)",
			Example: `sum, err := svc.Summary(ctx, "acme")`,
		},
		framework.ServiceMethod{
			Name:        "Void", // want MOD003 `ServiceMethod Void names no method of \*billing.Service`
			Description: "Cancels an open invoice.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the invoice's id"},
			},
			Returns: "error",
		},
	); err != nil {
		return err
	}
	return s.Handle(
		framework.GET("/status", func(ctx context.Context, r *framework.Request) (statusResponse, error) {
			// Runs when the route is served, after Start: not database
			// access during Setup.
			var open int
			if err := m.svc.db.QueryRow(ctx, `SELECT count(*) FROM billing_invoices WHERE paid = 0`).Scan(&open); err != nil {
				return statusResponse{}, framework.Errorf(framework.CodeInternal, "counting open invoices: %w", err)
			}
			return statusResponse{Module: "standard.billing", Currency: m.settings.Currency, OpenInvoices: open}, nil
		}),
		framework.GET("/invoices/{id}", m.getInvoice),
		framework.POST("/invoices", m.createInvoice),
		framework.POST("/invoices/{id}/payment", m.payInvoice),
	)
}

// Start gives the service its database handle.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.svc.db = app.DB()
	return nil
}
