// Package inventory is the standard.inventory module: stock levels and
// reservations.
//
// Its deliberate violations are about phases (MOD009: a service lookup, file
// I/O, a goroutine and database access during Setup, a registration during
// Start) and error handling (MOD008: a method without an error result, a
// panic, log.Fatal, os.Exit, a discarded framework error and plain errors
// returned from service methods).
package inventory

import (
	"context"
	_ "embed"
	"fmt"
	"log"
	"os"

	billing "example.com/violations/modules/standard/billing/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

const createStockTable = `CREATE TABLE inventory_stock (
	sku   TEXT    PRIMARY KEY,
	on_hand INTEGER NOT NULL CHECK (on_hand >= 0)
)`

// Module is the standard.inventory module.
type Module struct {
	setup    *framework.Setup // kept past Setup: see Start
	invoices billing.Invoices
	stock    *Stock
	levels   *Levels
}

// New returns the module, ready to be listed in an application's main.
func New() *Module {
	stock := newStock()
	return &Module{stock: stock, levels: &Levels{stock: stock}}
}

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the module's schema and service.
func (m *Module) Setup(s *framework.Setup) error {
	m.setup = s
	s.Migrate(createStockTable)                                                 // want MOD008 `error returned by \(\*framework.Setup\).Migrate is discarded`
	invoices, err := framework.Service[billing.Invoices](s, "billing.invoices") // want MOD009 `service lookup of "billing.invoices" during Setup`
	if err != nil {
		return err
	}
	m.invoices = invoices
	if seed, err := os.ReadFile("inventory-seed.csv"); err == nil { // want MOD009 `I/O \(os.ReadFile\) during Setup`
		m.stock.seed(seed)
	}
	go m.stock.watch()                  // want MOD009 "goroutine started during Setup"
	m.stock.prime(context.Background()) // want MOD009 `database access \(DB.Query\) during Setup \(through prime\)`
	return s.RegisterService("inventory.stock", m.stock,
		framework.ServiceMethod{
			Name:        "Count",
			Description: "Returns the number of items of a SKU in stock.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "sku", Type: "string", Description: "the stock keeping unit; required"},
			},
			Returns: "int",
			Example: `n := svc.Count(ctx, "CHAIR-1")`,
		},
		framework.ServiceMethod{
			Name:        "Reserve",
			Description: "Takes n items of a SKU out of stock and returns how many are left.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "sku", Type: "string", Description: "the stock keeping unit; required"},
				{Name: "n", Type: "int", Description: "the number of items, above zero"},
			},
			Returns: "(int, error)",
			Example: `left, err := svc.Reserve(ctx, "CHAIR-1", 2)`,
		},
		framework.ServiceMethod{
			Name:        "Restock",
			Description: "Adds n items of a SKU to the stock.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "sku", Type: "string", Description: "the stock keeping unit; required"},
				{Name: "n", Type: "int", Description: "the number of items, above zero"},
			},
			Returns: "error",
			Example: `err := svc.Restock(ctx, "CHAIR-1", 10)`,
		},
	)
}

// Start gives the service its database handle.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.stock.db = app.DB()
	err := m.setup.RegisterService("inventory.levels", m.levels, framework.ServiceMethod{ // want MOD009 "registration call Setup.RegisterService during Start; declarations belong in Setup"
		Name:        "Snapshot",
		Description: "Returns the cached stock level of every SKU.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
		},
		Returns: "(inventory.Snapshot, error)",
		Example: `snap, err := svc.Snapshot(ctx)`,
	})
	if err != nil {
		log.Fatalf("inventory: %v", err) // want MOD008 "call of log.Fatalf in module code"
	}
	return nil
}

// Stop stops the watcher.
func (m *Module) Stop(ctx context.Context) error {
	if err := m.stock.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "inventory:", err)
		os.Exit(1) // want MOD008 "call of os.Exit in module code"
	}
	return nil
}
