// Package shipping is the standard.shipping module: it quotes the cost of
// shipping a parcel.
//
// Its Go code is correct. Its manifest declares an unknown feature and a
// dependency on standard.orders, which depends back on it (MOD012).
package shipping

import (
	"context"
	_ "embed"

	orders "example.com/violations/modules/standard/orders/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.shipping module.
type Module struct {
	svc    *Service
	orders orders.Orders
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("shipping.quotes", m.svc, framework.ServiceMethod{
		Name:        "Quote",
		Description: "Returns the price of shipping a parcel of a weight.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "grams", Type: "int", Description: "the parcel's weight, 1 to 30000"},
		},
		Returns: "(contract.Quote, error)",
		Example: `q, err := svc.Quote(ctx, 1500)`,
	})
}

// Start looks up the orders service.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	o, err := framework.Service[orders.Orders](app, "orders.service")
	if err != nil {
		return err
	}
	m.orders = o
	return nil
}
