package nostatusfixed

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(setup *framework.Setup) error {
	if err := setup.Handle(framework.GET("/status", m.status)); err != nil {
		return err
	}
	return setup.Handle(
		framework.POST("/deliveries", m.deliver),
		framework.GET("/deliveries/{id}", m.delivery),
	)
}

// StatusResponse answers GET /status.
type StatusResponse struct {
	Module string `json:"module"`
	Status string `json:"status"`
}

// status answers GET /status: the module is set up and serving.
func (m *Module) status(ctx context.Context, _ *framework.Request) (StatusResponse, error) {
	return StatusResponse{Module: "standard.nostatusfixed", Status: "ok"}, nil
}
