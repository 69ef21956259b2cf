// Package inventory is the standard.inventory module.
package inventory

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.inventory.
type Module struct{}

// Setup does nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
