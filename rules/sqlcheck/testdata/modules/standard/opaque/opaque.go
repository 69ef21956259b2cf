package opaque

import (
	"context"
	"database/sql"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// The schema is passed as a slice: modls cannot read it statically.
var schema = []string{
	"CREATE TABLE opaque_items (id INTEGER PRIMARY KEY, name TEXT)",
}

type Module struct{ db *framework.DB }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error { return s.Migrate(schema...) } // want `^schema given to Migrate is not a constant: the module's SQL is checked for syntax only$`

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}

func (m *Module) items(ctx context.Context) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id, name FROM opaque_items")
}

func (m *Module) syntax(ctx context.Context) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id name FROM FROM opaque_items") // want `near "FROM": syntax error`
}
