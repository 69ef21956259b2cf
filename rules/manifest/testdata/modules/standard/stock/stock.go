// Package stock is the standard.stock module.
package stock

import (
	"context"

	"github.com/modls/modls/framework"
)

// Module is standard.stock.
type Module struct{}

// Levels is the stock.levels service.
type Levels struct{}

// Setup registers stock.levels.
func (*Module) Setup(s *framework.Setup) error {
	return s.RegisterService("stock.levels", &Levels{}, framework.ServiceMethod{Name: "Get"})
}

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }

// Get returns a level.
func (*Levels) Get(ctx context.Context) (int, error) { return 0, nil }
