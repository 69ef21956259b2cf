// Package ledger is the standard.ledger module: it registers its services
// under its contract's constants, as other modules look them up.
package ledger

import (
	"context"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/ledger/contract"
)

// Module is standard.ledger.
type Module struct{}

// Setup registers the services under the contract's names.
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService(contract.ServiceName, m); err != nil {
		return err
	}
	return s.RegisterService(string(contract.Archive), m)
}

// Start does nothing.
func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
