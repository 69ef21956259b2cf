// Package shelves is the standard.shelves module. Its violations are found
// through its sub-package's helpers and its contract's constants (MOD005,
// MOD006, MOD008, MOD009); the Example below uses time without importing
// it, which is fine.
package shelves

import (
	"context"
	_ "embed"

	"example.com/violations/modules/standard/shelves/contract"
	"example.com/violations/modules/standard/shelves/store"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

const (
	createBooks = `CREATE TABLE shelves_books (
	id    INTEGER PRIMARY KEY,
	shelf TEXT NOT NULL,
	title TEXT NOT NULL,
	isbn  TEXT NOT NULL DEFAULT ''
)`
	indexShelf = `CREATE INDEX shelves_books_shelf ON shelves_books (shelf)`
	dropISBN   = `ALTER TABLE shelves_books DROP COLUMN isbn`
)

// Module is the standard.shelves module.
type Module struct {
	svc  *Service
	seed []byte
}

// New returns the module.
func New() *Module { return &Module{svc: &Service{}} }

// Manifest returns the module's manifest.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the schema, the service and the routes, and reads a seed
// file it should read in Start.
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.Migrate(createBooks, indexShelf); err != nil {
		return err
	}
	if err := s.Migrate(dropISBN); err != nil { // want MOD006 "^migration 3 drops or renames what 1 query still reads \\(no such column: isbn\\)$"
		return err
	}
	seed, err := store.LoadSeed("shelves.csv") // want MOD009 "^I/O \\(os\\.ReadFile\\) during Setup \\(through store\\.LoadSeed → readFile\\)$"
	if err != nil {
		return err
	}
	m.seed = seed
	if err := s.RegisterService(contract.ServiceName, m.svc, framework.ServiceMethod{
		Name:        "Titles",
		Description: "Lists the titles of a shelf.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context"},
			{Name: "shelf", Type: "string"},
		},
		Returns: "([]string, error)",
		Example: `ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
defer cancel()
titles, err := svc.Titles(ctx, "fiction")`,
	}); err != nil {
		return err
	}
	return s.Handle(m.routes()...)
}

// Start hands the service its database.
func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.svc.db = app.DB()
	return nil
}
