// Package exitcall is a sandbox fixture: a handler ends the process.
package exitcall

import (
	"context"
	_ "embed"
	"os"

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
		framework.GET("/boom", func(context.Context, *framework.Request) (StatusResponse, error) {
			os.Exit(3)
			return StatusResponse{}, nil
		}),
	)
}

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
