// Package lonely is the standard.lonely module.
package lonely

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.lonely.
type Module struct{ db *framework.DB }

type status struct {
	OK bool `json:"ok"`
}

type settings struct {
	On bool `json:"on"`
}

// Setup registers two services, one of them not in the manifest.
func (m *Module) Setup(s *framework.Setup) error {
	if _, err := framework.Settings[settings](s); err != nil {
		return err
	}
	if err := s.RegisterService("lonely.a", m); err != nil {
		return err
	}
	if err := s.RegisterService("lonely.b", m); err != nil { // want `service "lonely.b" is registered but manifest.json does not list it`
		return err
	}
	if err := s.RegisterService("lonely_c", m); err != nil { // a malformed name: MOD001's
		return err
	}
	return s.Handle(framework.GET("/status", func(context.Context, *framework.Request) (status, error) { return status{}, nil }))
}

// Start looks up services no declared dependency provides.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	if _, err := framework.Service[any](app, "stock.levels"); err != nil { // want `service "stock.levels" is provided by standard.stock, which is not a declared dependency`
		return err
	}
	if _, err := framework.Service[any](app, "nobody.x"); err != nil { // want `no module provides service "nobody.x"`
		return err
	}
	if _, err := framework.Service[any](app, "dup.svc"); err != nil { // want `service "dup.svc" is provided by standard.alpha and standard.beta, none of which is a declared dependency`
		return err
	}
	if _, err := framework.Service[any](app, "lonely.b"); err != nil { // its own
		return err
	}
	m.db = app.DB() // want `DB uses feature database, which manifest.json does not declare`
	m.db = app.DB() // reported once
	return nil
}
