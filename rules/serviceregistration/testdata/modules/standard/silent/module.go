package silent

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

// helper has a Setup method too, but no Start: the diagnostic goes on
// the module's own Setup.
type helper struct{}

func (helper) Setup(s *framework.Setup) error { return nil }

func (m *Module) Setup(s *framework.Setup) error { // want `^module standard.silent registers no service$`
	return s.Migrate("CREATE TABLE silent_things (id INTEGER PRIMARY KEY)")
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type Service struct{}

func (s *Service) Send() error { return nil }

var sendDoc = framework.ServiceMethod{Name: "Send", Description: "Send sends.", Returns: "error"}
