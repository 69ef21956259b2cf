// Package beta is the standard.beta module; it registers dup.svc, a
// malformed name that MOD001 reports and this rule leaves alone.
package beta

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.beta.
type Module struct{}

// Setup registers dup.svc.
func (*Module) Setup(s *framework.Setup) error { return s.RegisterService("dup.svc", struct{}{}) }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
