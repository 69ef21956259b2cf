// Package keeper is the standard.keeper module: it declares standard.ledger
// and looks its services up through the contract's constants.
package keeper

import (
	"context"

	"github.com/modls/modls/framework"

	ledger "example.com/ruletest/modules/standard/ledger/contract"
)

// Module is standard.keeper.
type Module struct{}

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("keeper.service", m)
}

// Start looks up the ledger's services.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	if _, err := framework.Service[any](app, ledger.ServiceName); err != nil {
		return err
	}
	_, err := framework.Service[any](app, string(ledger.Archive))
	return err
}
