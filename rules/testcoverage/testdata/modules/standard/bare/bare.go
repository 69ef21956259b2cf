package bare

import (
	"context"
	_ "embed"
	"time"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (Module) Manifest() []byte { return manifest }

func (Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("bare.cache", &cache[string]{}, framework.ServiceMethod{Name: "Get"}); err != nil {
		return err
	}
	return s.RegisterService("bare.clock", &clock[time.Duration]{}, framework.ServiceMethod{Name: "Now"})
}

func (Module) Start(context.Context, *framework.App) error { return nil }

// cache is unexported and generic: the skeleton instantiates it as
// registered.
type cache[V any] struct{ m map[string]V }

func (c *cache[V]) Get(ctx context.Context, key string) (V, error) { return c.m[key], nil } // want `no test in module standard.bare references service method Get`

// clock's type argument is another package's type: no fix.
type clock[D any] struct{}

func (clock[D]) Now(ctx context.Context) (D, error) { // want `no test in module standard.bare references service method Now`
	var d D
	return d, nil
}
