// Package garbled is a module whose manifest has keys of the wrong type:
// the checks that depend on them stay quiet.
package garbled

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.garbled.
type Module struct{ db *framework.DB }

// Setup registers a service.
func (m *Module) Setup(s *framework.Setup) error { return s.RegisterService("garbled.svc", m) }

// Start looks up a service and uses the database.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, "stock.levels")
	m.db = app.DB()
	return err
}
