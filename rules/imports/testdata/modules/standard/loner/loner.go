// Package loner is the standard.loner module.
package loner

import (
	"context"

	billing "example.com/ruletest/modules/standard/billing/contract" // want `import of the contract of standard.billing, which is not a declared dependency`
	"github.com/modls/modls/framework"
)

// Module is standard.loner.
type Module struct{ invoices billing.Invoices }

// Setup does nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
