// Package shop is the standard.shop module: correct code that looks close
// to every violation.
package shop

import (
	"context"

	"github.com/modls/modls/framework"
)

const service = "shop.orders"

// Module is standard.shop.
type Module struct {
	db     *framework.DB
	levels any
}

// Settings are the module's settings.
type Settings struct {
	Limit int `json:"limit" default:"10"`
}

type status struct {
	OK bool `json:"ok"`
}

// Setup declares everything.
func (m *Module) Setup(s *framework.Setup) error {
	if _, err := framework.Settings[Settings](s); err != nil {
		return err
	}
	if err := s.Migrate("CREATE TABLE shop_orders (id INTEGER PRIMARY KEY)"); err != nil {
		return err
	}
	if err := s.Handle(framework.GET("/status", func(context.Context, *framework.Request) (status, error) { return status{OK: true}, nil })); err != nil {
		return err
	}
	return s.RegisterService(service, m)
}

// Start looks up a core service, its own and a dependency's.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	if _, err := framework.Service[any](app, "database.service"); err != nil {
		return err
	}
	if _, err := framework.Service[*Module](app, service); err != nil {
		return err
	}
	levels, err := framework.Service[any](app, "stock.levels")
	m.db, m.levels = app.DB(), levels
	return err
}
