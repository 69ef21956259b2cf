// Package billing is the standard.billing module.
package billing

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.billing.
type Module struct{}

// Setup does nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }

// Rate is internal to billing.
const Rate = 3
