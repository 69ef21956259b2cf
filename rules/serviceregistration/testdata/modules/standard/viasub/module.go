package viasub

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/viasub/services"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	return services.Register(s, "viasub.service", m.svc)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type Service struct{}

func (s *Service) Send() error { return nil }

var sendDoc = framework.ServiceMethod{Name: "Send", Description: "Send sends.", Returns: "error"}
