// Package opaque gets its status route from a package outside the module:
// quiet.
package opaque

import (
	"context"
	_ "embed"

	"example.com/ruletest/routekit"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error { return s.Handle(routekit.Status("standard.opaque")) }

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
