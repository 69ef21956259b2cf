// Package tidy is a correct api module: quiet.
package tidy

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	return s.Handle(api{}.routes()...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type api struct{}

func (a api) routes() []framework.Route {
	routes := []framework.Route{
		framework.GET("/status", a.status),
		framework.GET("/runs", a.list),
		framework.GET("/runs/{id}", a.get),
		framework.POST("/runs", a.create),
		framework.POST("/runs/{id}/transition", a.create),
		framework.DELETE("/runs/{id}", a.get),
		framework.GET("/", a.status),
		framework.GET("/{$}", a.status),
	}
	return append(routes, framework.GET("/runs/{id}/events", a.list))
}

type StatusResponse struct {
	Module string `json:"module"`
}

type Run struct {
	ID     int64  `json:"id"`
	Target string `json:"target"`
}

type RunList struct {
	Runs  []Run `json:"runs"`
	Count int   `json:"count"`
}

type CreateRequest struct {
	Target string `json:"target"`
}

func (a api) status(ctx context.Context, _ *framework.Request) (StatusResponse, error) {
	return StatusResponse{Module: "standard.tidy"}, nil
}

func (a api) list(ctx context.Context, _ *framework.Request) (*RunList, error) {
	return &RunList{}, nil
}

func (a api) get(ctx context.Context, _ *framework.Request) (Run, error) { return Run{}, nil }

func (a api) create(ctx context.Context, _ *framework.Request, body CreateRequest) (Run, error) {
	return Run{Target: body.Target}, nil
}
