package prefsfixed

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ settings *Settings }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	settings, err := framework.Settings[Settings](s)
	if err != nil {
		return err
	}
	m.settings = settings
	return nil
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

// again loads the same struct a second time: its fields are reported once.
func again(s *framework.Setup) {
	framework.Settings[Settings](s)
}

// load is generic: the type argument of the instance is its caller's.
func load[T any](s *framework.Setup) (*T, error) { return framework.Settings[T](s) }
