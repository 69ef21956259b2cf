// Package broken is a module whose manifest is not JSON.
package broken

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.broken.
type Module struct{}

// Setup registers a service the unreadable manifest cannot list: quiet.
func (m *Module) Setup(s *framework.Setup) error { return s.RegisterService("broken.svc", m) }

// Start looks up a service: quiet.
func (*Module) Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, "stock.levels")
	return err
}
