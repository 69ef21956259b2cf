// Package garbled is a module whose dependencies cannot be read: what it
// declares is unknown, so its contract imports are not reported (the
// manifest rule reports the manifest).
package garbled

import (
	"context"

	billing "example.com/ruletest/modules/standard/billing/contract"
	"github.com/modls/modls/framework"
)

// Module is standard.garbled.
type Module struct{ invoices billing.Invoices }

// Setup does nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
