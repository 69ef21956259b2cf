// Package reports is the standard.reports module: reports of what customers
// owe, read from standard.billing.
//
// Its deliberate violations are in its settings (MOD004), its routes and
// response models (MOD007) and an import of standard.billing's own package
// rather than its contract (MOD010).
package reports

import (
	"context"
	_ "embed"

	billing "example.com/violations/modules/standard/billing/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.reports module.
type Module struct {
	settings *Settings
	svc      *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the module's settings, service and routes.
func (m *Module) Setup(s *framework.Setup) error {
	settings, err := framework.Settings[Settings](s)
	if err != nil {
		return err
	}
	m.settings = settings
	m.svc.settings = settings
	if err := s.RegisterService("reports.service", m.svc, framework.ServiceMethod{
		Name:        "Monthly",
		Description: "Returns the report of what a customer owes.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "customer", Type: "string", Description: "the customer; required"},
		},
		Returns: "(reports.Report, error)",
		Example: `rep, err := svc.Monthly(ctx, "acme")`,
	}); err != nil {
		return err
	}
	return s.Handle(
		framework.GET("/status", m.status),
		framework.GET("/summary/{customer}", m.summary),
		framework.GET("/summary/{customer}", m.summary), // want MOD007 `duplicate route GET /summary/\{customer\}`
		framework.GET("/totals", m.totals),              // want MOD007 `response type map\[string\]any of GET /totals is not a named struct`
		framework.GET("daily", m.daily),                 // want MOD007 `route path "daily" does not start with /`
	)
}

// Start looks up the billing service.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	invoices, err := framework.Service[billing.Invoices](app, "billing.invoices")
	if err != nil {
		return err
	}
	m.svc.invoices = invoices
	return nil
}
