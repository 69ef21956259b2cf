// Package alerts is the legacy.alerts module: the alerts of the previous
// release, kept while callers move to standard.alerts.
//
// Its deliberate violation is its service name, alerts.service, which
// standard.alerts registers too (MOD001).
package alerts

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the legacy.alerts module.
type Module struct {
	svc *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("alerts.service", m.svc, framework.ServiceMethod{ // want MOD001 "service alerts.service is also registered by standard.alerts"
		Name:        "Send",
		Description: "Sends an alert and returns how many were sent so far.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "text", Type: "string", Description: "the alert's text; required"},
		},
		Returns: "(int, error)",
		Example: `n, err := svc.Send(ctx, "disk full")`,
	})
}

// Start has nothing to do.
func (*Module) Start(context.Context, *framework.App) error { return nil }
