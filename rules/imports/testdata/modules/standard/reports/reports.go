// Package reports is the standard.reports module.
package reports

import (
	"context"

	billing "example.com/ruletest/modules/standard/billing/contract"
	stock "example.com/ruletest/modules/standard/inventory/contract" // want `import of the contract of standard.inventory, which is not a declared dependency`
	"example.com/ruletest/modules/standard/reports/contract"
	"github.com/modls/modls/framework"
)

// Module is standard.reports.
type Module struct {
	invoices billing.Invoices
	stock    stock.Stock
	last     contract.Report
	db       *framework.DB
	open     func() *framework.DB
}

// Setup does nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start keeps the database.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.Database() // want `\(\*framework.App\).Database is deprecated: use DB`
	m.db = app.DB()
	m.open = app.Database // want `\(\*framework.App\).Database is deprecated: use DB`
	return nil
}

// Database is the module's own method of that name, not the framework's.
func (m *Module) Database() *framework.DB { return m.db }

func (m *Module) reopen() *framework.DB { return m.Database() }
