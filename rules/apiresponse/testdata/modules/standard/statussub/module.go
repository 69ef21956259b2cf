// Package statussub declares its routes in a sub-package: quiet.
package statussub

import (
	"context"
	_ "embed"

	"example.com/ruletest/modules/standard/statussub/api"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error { return s.Handle(api.Routes()...) }

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
