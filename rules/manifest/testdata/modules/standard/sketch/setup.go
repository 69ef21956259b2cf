package sketch // want `module directory modules/standard/sketch has no manifest.json`

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is the sketch module.
type Module struct{}

// Setup registers nothing.
func (*Module) Setup(s *framework.Setup) error { return nil }

// Start looks up a service: quiet, since what the module declares is unknown.
func (*Module) Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, "stock.levels")
	return err
}
