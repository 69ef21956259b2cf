package broken

import (
	"context"
	"database/sql"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ db *framework.DB }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	return s.Migrate(
		"CREATE TABLE broken_items (id INTEGER PRIMARY KEY, name TEXT)",
		"CREATE TABLE broken_tags (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES broken_items(id)", // want `migration 2: incomplete input`
		"CREATE INDEX broken_tags_item ON broken_tags(item_id)",
	)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}

func (m *Module) tags(ctx context.Context) (*sql.Rows, error) {
	// broken_tags does not exist while migration 2 is broken: quiet.
	return m.db.Query(ctx, "SELECT id FROM broken_tags")
}

func (m *Module) syntax(ctx context.Context) (*sql.Rows, error) {
	return m.db.Query(ctx, "SELECT id FROM broken_items WHERE") // want `incomplete input`
}
