package delegates

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"

	"example.com/ruletest/shared"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

// Setup hands the framework's handle to code outside the module, which
// may register services: quiet.
func (m *Module) Setup(s *framework.Setup) error {
	return shared.RegisterAll(s, m.svc)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type Service struct{}

func (s *Service) Send() error { return nil }

var sendDoc = framework.ServiceMethod{Name: "Send", Description: "Send sends.", Returns: "error"}
