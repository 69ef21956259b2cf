// Package alpha is the standard.alpha module; it registers dup.svc, a
// malformed name that MOD001 reports and this rule leaves alone.
package alpha

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.alpha.
type Module struct{}

// Setup registers dup.svc.
func (*Module) Setup(s *framework.Setup) error { return s.RegisterService("dup.svc", struct{}{}) }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
