// Package sketch is the standard.sketch module, in modules/standard/sketch:
// a scratch pad for drafts.
//
// Its Go code is correct, but its directory has no manifest.json: the
// manifest is written inline in Manifest below instead (MOD012).
package sketch // want MOD012 "module directory modules/standard/sketch has no manifest.json"

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is the standard.sketch module.
type Module struct {
	svc *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest, which should be its manifest.json.
func (*Module) Manifest() []byte {
	return []byte(`{"name": "standard.sketch", "version": "0.1.0", "description": "A scratch pad for drafts.", "features": [], "dependencies": [], "services": ["sketch.pad"]}`)
}

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("sketch.pad", m.svc, framework.ServiceMethod{
		Name:        "Draft",
		Description: "Keeps a draft and returns its number, from 1.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "text", Type: "string", Description: "the draft; required"},
		},
		Returns: "(int, error)",
		Example: `n, err := svc.Draft(ctx, "first thoughts")`,
	})
}

// Start has nothing to do.
func (*Module) Start(context.Context, *framework.App) error { return nil }
