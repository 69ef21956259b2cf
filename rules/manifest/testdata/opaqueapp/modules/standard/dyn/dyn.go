// Package dyn is the standard.dyn module: it registers a service under a
// name computed at run time, which the model records as not constant.
package dyn

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.dyn.
type Module struct{ name string }

// Setup registers the service under a name chosen at run time.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService(m.name, m)
}

// Start does nothing.
func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
