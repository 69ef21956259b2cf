// Package tracker is the standard.tracker module: usage events, billed
// through standard.billing when they carry an amount.
//
// Its deliberate violations are database writes outside an IntegritySession
// (MOD005), SQL that does not match its own schema or is built from
// non-constant strings (MOD006), an import of the contract of a module it
// does not declare (MOD010) and a lookup of that module's service (MOD012).
package tracker

import (
	"context"
	"database/sql"
	_ "embed"

	billing "example.com/violations/modules/standard/billing/contract"
	inventory "example.com/violations/modules/standard/inventory/contract" // want MOD010 "import of the contract of standard.inventory, which is not a declared dependency"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.tracker module.
type Module struct {
	svc *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

var methods = []framework.ServiceMethod{
	{
		Name:        "Track",
		Description: "Records an event; an event with an amount is billed to its name.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "name", Type: "string", Description: "the event's name; required"},
			{Name: "amount", Type: "int64", Description: "the amount to bill in cents, 0 for none"},
		},
		Returns: "(tracker.Event, error)",
		Example: `ev, err := svc.Track(ctx, "signup", 0)`,
	},
	{
		Name:        "Recent",
		Description: "Returns the most recent events, newest first.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "limit", Type: "int", Description: "the number of events, 1 to 500"},
		},
		Returns: "(tracker.EventList, error)",
		Example: `list, err := svc.Recent(ctx, 20)`,
	},
	{
		Name:        "Stats",
		Description: "Returns the number of events of a name and the names with the largest amounts.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "name", Type: "string", Description: "the event name to count"},
		},
		Returns: "(tracker.Stats, error)",
		Example: `st, err := svc.Stats(ctx, "signup")`,
	},
	{
		Name:        "Search",
		Description: "Returns the events whose name starts with prefix, ordered by a column.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "prefix", Type: "string", Description: "the start of the names to find; required"},
			{Name: "orderBy", Type: "string", Description: "the column to order by"},
		},
		Returns: "(tracker.EventList, error)",
		Example: `list, err := svc.Search(ctx, "sign", "amount")`,
	},
	{
		Name:        "Touch",
		Description: "Records an event without an amount.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "name", Type: "string", Description: "the event's name; required"},
		},
		Returns: "error",
		Example: `err := svc.Touch(ctx, "login")`,
	},
	{
		Name:        "Forget",
		Description: "Deletes an event.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "id", Type: "int64", Description: "the event's id"},
		},
		Returns: "error",
		Example: `err := svc.Forget(ctx, 7)`,
	},
	{
		Name:        "Adjust",
		Description: "Adds delta to an event's amount.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "id", Type: "int64", Description: "the event's id"},
			{Name: "delta", Type: "int64", Description: "the change in cents"},
		},
		Returns: "error",
		Example: `err := svc.Adjust(ctx, 7, -100)`,
	},
}

// Setup declares the module's schema, service and routes.
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.Migrate(createEventsTable, createEventsNameIndex); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.events", m.svc, methods...); err != nil {
		return err
	}
	return s.Handle(
		framework.GET("/status", m.status),
		framework.GET("/events", m.recent),
		framework.POST("/events", m.track),
		framework.GET("/stock/{sku}", m.stock),
	)
}

// Start looks up the services the module uses and opens its cache.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	invoices, err := framework.Service[billing.Invoices](app, "billing.invoices")
	if err != nil {
		return err
	}
	stock, err := framework.Service[inventory.Stock](app, "inventory.stock") // want MOD012 `service "inventory.stock" is provided by standard.inventory, which is not a declared dependency`
	if err != nil {
		return err
	}
	// A second connection of the module's own, beside the framework's.
	raw, err := sql.Open("sqlite", "file:tracker-cache.db")
	if err != nil {
		return framework.Errorf(framework.CodeUnavailable, "opening the tracker cache: %w", err)
	}
	m.svc.db, m.svc.raw, m.svc.invoices, m.svc.stock = app.DB(), raw, invoices, stock
	return nil
}

// Stop closes the module's own connection.
func (m *Module) Stop(ctx context.Context) error {
	if m.svc.raw == nil {
		return nil
	}
	return m.svc.raw.Close()
}
