// Package notmodule is no module: it may import anything and use
// deprecated API without being reported.
package notmodule

import (
	"example.com/ruletest/modules/standard/billing"
	stock "example.com/ruletest/modules/standard/inventory/contract"
	"github.com/modls/modls/framework"
)

// Rate is billing's.
const Rate = billing.Rate

// Open uses the deprecated name.
func Open(app *framework.App, s stock.Stock) *framework.DB { return app.Database() }
