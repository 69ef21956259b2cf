package bare

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (*Module) Manifest() []byte { return manifest }

// Setup declares no route; the receiver has no name, so there is no fix.
func (*Module) Setup(s *framework.Setup) error { // want `module standard.bare has the api feature but no GET /status route`
	return nil
}

func (*Module) Start(ctx context.Context, app *framework.App) error { return nil }
