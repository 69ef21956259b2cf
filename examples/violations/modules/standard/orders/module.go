// Package orders is the standard.orders module: it takes orders and prices
// their shipping through standard.shipping.
//
// Its Go code is correct. Its manifest has a version that is not semantic
// and a dependency on standard.shipping, which depends back on it: a cycle
// the framework refuses at start-up (MOD012).
package orders

import (
	"context"
	_ "embed"

	shipping "example.com/violations/modules/standard/shipping/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.orders module.
type Module struct {
	svc *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("orders.service", m.svc, framework.ServiceMethod{
		Name:        "Place",
		Description: "Places an order of qty items and prices its shipping.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "item", Type: "string", Description: "the item; required"},
			{Name: "qty", Type: "int", Description: "how many, 1 to 100"},
		},
		Returns: "(contract.Order, error)",
		Example: `o, err := svc.Place(ctx, "CHAIR-1", 2)`,
	})
}

// Start looks up the shipping service.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	quotes, err := framework.Service[shipping.Quotes](app, "shipping.quotes")
	if err != nil {
		return err
	}
	m.svc.quotes = quotes
	return nil
}
