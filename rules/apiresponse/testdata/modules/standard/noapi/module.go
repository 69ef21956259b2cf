// Package noapi has no api feature: it needs no GET /status.
package noapi

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error { return nil }

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
