package nostatus

import (
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(setup *framework.Setup) error {
	return setup.Handle( // want `module standard.nostatus has the api feature but no GET /status route`
		framework.POST("/deliveries", m.deliver),
		framework.GET("/deliveries/{id}", m.delivery),
	)
}
