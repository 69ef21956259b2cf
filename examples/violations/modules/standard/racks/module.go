// Package racks is the standard.racks module: it looks standard.shelves's
// service up through the contract's constant without declaring the
// dependency (MOD010, MOD012).
package racks

import (
	"context"
	_ "embed"

	shelves "example.com/violations/modules/standard/shelves/contract" // want MOD010 "^import of the contract of standard\\.shelves, which is not a declared dependency$"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.racks module.
type Module struct {
	svc     *Service
	shelves shelves.Shelves
}

// New returns the module.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.
func (*Module) Manifest() []byte { return manifest }

// Setup registers the service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("racks.service", m.svc, framework.ServiceMethod{
		Name:        "Count",
		Description: "Counts the racks.",
		Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}},
		Returns:     "(int, error)",
		Example:     `n, err := svc.Count(ctx)`,
	})
}

// Start looks the shelves up.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	sh, err := framework.Service[shelves.Shelves](app, shelves.ServiceName) // want MOD012 "^service \"shelves\\.service\" is provided by standard\\.shelves, which is not a declared dependency$"
	if err != nil {
		return err
	}
	m.shelves = sh
	return nil
}

// Service is the racks service.
type Service struct{}

// Count counts the racks.
func (s *Service) Count(ctx context.Context) (int, error) { return 0, nil }
