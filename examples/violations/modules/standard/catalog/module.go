// Package catalog is the product catalogue module, in
// modules/standard/catalog.
//
// Its deliberate violations are in how its manifest and its code disagree
// (MOD012): the manifest names it extra.catalog, lists a service the code
// does not register, and leaves out one the code does register.
package catalog

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the catalog module.
type Module struct {
	items *Items
	feeds *Feeds
}

// New returns the module, ready to be listed in an application's main.
func New() *Module {
	items := &Items{byID: map[string]Item{}}
	return &Module{items: items, feeds: &Feeds{items: items}}
}

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup registers the module's services.
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("catalog.items", m.items,
		framework.ServiceMethod{
			Name:        "Put",
			Description: "Adds or replaces an item.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "item", Type: "catalog.Item", Description: "the item; its ID is required"},
			},
			Returns: "error",
			Example: `err := svc.Put(ctx, catalog.Item{ID: "CHAIR-1", Title: "Chair"})`,
		},
		framework.ServiceMethod{
			Name:        "Find",
			Description: "Returns an item; not_found if there is none with that ID.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "string", Description: "the item's ID"},
			},
			Returns: "(catalog.Item, error)",
			Example: `item, err := svc.Find(ctx, "CHAIR-1")`,
		},
	); err != nil {
		return err
	}
	return s.RegisterService("catalog.feeds", m.feeds, framework.ServiceMethod{ // want MOD012 `service "catalog.feeds" is registered but manifest.json does not list it`
		Name:        "Latest",
		Description: "Returns the IDs of the items, most recently put first.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "limit", Type: "int", Description: "the number of IDs, 1 to 100"},
		},
		Returns: "([]string, error)",
		Example: `ids, err := svc.Latest(ctx, 10)`,
	})
}

// Start has nothing to do: the catalogue lives in memory.
func (*Module) Start(context.Context, *framework.App) error { return nil }
