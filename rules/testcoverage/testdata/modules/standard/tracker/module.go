package tracker

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module's own exported methods are not service methods.
type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

var entries []framework.ServiceMethod

func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("tracker.service", m.svc, entries...); err != nil {
		return err
	}
	// The same implementation twice: its methods are reported once.
	return s.RegisterService("tracker.again", m.svc, entries...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
