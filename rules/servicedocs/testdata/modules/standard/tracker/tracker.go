package tracker

import (
	"context"
	_ "embed"
	"sync"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("tracker.service", m.svc, framework.ServiceMethod{
		Name:        "Track",
		Description: "Track records an event.",
		Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "name", Type: "string"}},
		Returns:     "error",
	}); err != nil {
		return err
	}
	return s.RegisterService("tracker.other", &Other{}, opaque...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

var opaque []framework.ServiceMethod

// Service tracks events.
type Service struct {
	sync.Mutex // promoted Lock and Unlock are not the service's API
}

// Track records an event.
func (s *Service) Track(ctx context.Context, name string) error { return nil }

// Count returns how many events were recorded. It never fails.
func (s *Service) Count(ctx context.Context, names ...string) (int, error) { return 0, nil } // want `exported method Count has no ServiceMethod entry`

func (s *Service) Reset(context.Context) error { return nil } // want `exported method Reset has no ServiceMethod entry`

func (s *Service) helper() {}

// Other is registered with entries that cannot be read statically: quiet.
type Other struct{}

func (o *Other) Anything() error { return nil }
