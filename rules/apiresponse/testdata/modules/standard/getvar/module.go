// Package getvar declares a GET route whose path is not a constant: it may
// be /status, so the module is not reported.
package getvar

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ prefix string }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	return s.Handle(framework.GET(m.prefix+"status", m.status))
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type StatusResponse struct {
	OK bool `json:"ok"`
}

func (m *Module) status(context.Context, *framework.Request) (StatusResponse, error) {
	return StatusResponse{OK: true}, nil
}
