// Package status500 is a sandbox fixture: an endpoint answers 500.
package status500

import (
	"context"
	_ "embed"
	"errors"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the fixture module.
type Module struct{}

// New returns the module.
func New() *Module { return &Module{} }

// Manifest returns manifest.json.
func (*Module) Manifest() []byte { return manifest }

// StatusResponse answers GET /status.
type StatusResponse struct {
	OK bool `json:"ok"`
}

// Setup declares the routes.
func (*Module) Setup(s *framework.Setup) error {
	return s.Handle(
		framework.GET("/status", func(context.Context, *framework.Request) (StatusResponse, error) {
			return StatusResponse{OK: true}, nil
		}),
		framework.GET("/report", func(context.Context, *framework.Request) (StatusResponse, error) {
			return StatusResponse{}, framework.Errorf(framework.CodeInternal, "report: %w", errNoData)
		}),
	)
}

var errNoData = errors.New("no data source configured")

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
