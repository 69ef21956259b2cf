// Package routes is the standard.routes module.
package routes

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.routes.
type Module struct{}

type status struct {
	OK bool `json:"ok"`
}

type settings struct {
	On bool `json:"on"`
}

// Setup reads settings and serves routes without declaring either.
func (m *Module) Setup(s *framework.Setup) error {
	if _, err := framework.Settings[settings](s); err != nil { // want `Settings uses feature settings, which manifest.json does not declare`
		return err
	}
	if err := s.Handle(framework.GET("/status", m.status)); err != nil { // want `Handle uses feature api, which manifest.json does not declare`
		return err
	}
	return s.RegisterService("routes.svc", m)
}

func (*Module) status(context.Context, *framework.Request) (status, error) { return status{}, nil }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
