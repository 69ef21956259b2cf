// Package webhooks is the standard.webhooks module: it accepts deliveries of
// payment notifications over HTTP.
//
// Its deliberate violations: it registers no service (MOD001), serves no
// GET /status although it has the api feature (MOD007), and its manifest
// declares a database it does not use and a dependency that does not exist,
// whose service it looks up (MOD012).
package webhooks

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// gateway is what the module needs of the payments service.
type gateway interface {
	Confirm(ctx context.Context, reference string) error
}

// Module is the standard.webhooks module.
type Module struct {
	gateway gateway
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the module's routes.
func (m *Module) Setup(s *framework.Setup) error { // want MOD001 "module standard.webhooks registers no service"
	return s.Handle( // want MOD007 "module standard.webhooks has the api feature but no GET /status route"
		framework.POST("/deliveries", m.deliver),
	)
}

// Start looks up the payment gateway.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	gw, err := framework.Service[gateway](app, "payments.gateway") // want MOD012 `no module provides service "payments.gateway"`
	if err != nil {
		return err
	}
	m.gateway = gw
	return nil
}
