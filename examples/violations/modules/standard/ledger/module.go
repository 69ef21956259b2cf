// Package ledger is the standard.ledger module: an in-memory append-only
// ledger with three services.
//
// Its deliberate violations are in how it registers them (MOD001): one
// without ServiceMethod entries and one under a name not of the form
// ledger.<name>.
package ledger

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.ledger module.
type Module struct {
	entries *Entries
	totals  *Totals
	archive *Archive
}

// New returns the module, ready to be listed in an application's main.
func New() *Module {
	entries := &Entries{}
	return &Module{entries: entries, totals: &Totals{entries: entries}, archive: &Archive{}}
}

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// entryMethods documents the Entries service; RegisterService takes it as
// a slice.
var entryMethods = []framework.ServiceMethod{
	{
		Name:        "Append",
		Description: "Appends an entry and returns its sequence number.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "account", Type: "string", Description: "the account; required"},
			{Name: "cents", Type: "int64", Description: "the amount, negative for a debit; not zero"},
		},
		Returns: "(int, error)",
		Example: `seq, err := svc.Append(ctx, "cash", -500)`,
	},
	{
		Name:        "Balance",
		Description: "Returns the sum of an account's entries.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			{Name: "account", Type: "string", Description: "the account; required"},
		},
		Returns: "(int64, error)",
		Example: `cents, err := svc.Balance(ctx, "cash")`,
	},
}

// Setup registers the module's services.
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("ledger.entries", m.entries, entryMethods...); err != nil {
		return err
	}
	if err := s.RegisterService("ledger.totals", m.totals); err != nil { // want MOD001 "service ledger.totals is registered without ServiceMethod entries"
		return err
	}
	return s.RegisterService("ledger_archive", m.archive, framework.ServiceMethod{ // want MOD001 "service name ledger_archive is not of the form ledger.<name>"
		Name:        "Seal",
		Description: "Seals the ledger and returns the number of seals so far.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context", Description: "the request's context"},
		},
		Returns: "(int, error)",
		Example: `n, err := svc.Seal(ctx)`,
	})
}

// Start has nothing to do: the ledger lives in memory.
func (*Module) Start(context.Context, *framework.App) error { return nil }
