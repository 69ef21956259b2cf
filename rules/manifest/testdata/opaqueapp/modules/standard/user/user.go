// Package user is the standard.user module: it looks up a service no
// module visibly provides, in an application where one module registers
// under a name that is not constant. Which module provides it is unknown,
// so nothing is reported.
package user

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.user.
type Module struct{}

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("user.service", m)
}

// Start looks up a service whose provider is unknown.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, "dyn.anything")
	return err
}
