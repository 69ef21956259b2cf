// Package notmodule is no module: nothing in it is checked.
package notmodule

import (
	"context"

	"github.com/modls/modls/framework"
)

// Start looks up a service nobody provides.
func Start(ctx context.Context, app *framework.App) error {
	_, err := framework.Service[any](app, "nobody.x")
	_ = app.DB()
	return err
}
