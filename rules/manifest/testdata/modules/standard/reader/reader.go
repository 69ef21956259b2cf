// Package reader is the standard.reader module: it looks standard.ledger's
// service up through the contract's constant without declaring the
// dependency.
package reader

import (
	"context"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/ledger/contract"
)

// Module is standard.reader.
type Module struct{ target string }

// Setup registers the module's service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("reader.service", m)
}

// Start looks up the ledger's service.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	if _, err := framework.Service[any](app, contract.ServiceName); err != nil { // want `^service "ledger.entries" is provided by standard.ledger, which is not a declared dependency$`
		return err
	}
	if _, err := framework.Service[any](app, m.target); err != nil { // want `^service name is not a constant: modls cannot check that a declared dependency provides it$`
		return err
	}
	return nil
}
