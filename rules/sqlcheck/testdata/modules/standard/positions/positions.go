package positions

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
	return s.Migrate("CREATE TABLE positions_items (id INTEGER PRIMARY KEY, name TEXT)")
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}

const misspelt = "SELECT nope FROM positions_items"

func (m *Module) queries(ctx context.Context) {
	m.db.Query(ctx, "SELECT id, titel FROM positions_items")
	m.db.Query(ctx, `SELECT id,
		name,
		shelff
	FROM positions_items`)
	m.db.Query(ctx, misspelt)
	m.db.Query(ctx, "SELECT id, "+"nam FROM positions_items")
	m.db.Query(ctx, "SELECT \"id\", \tnme FROM positions_items")
}

var _ sql.Result
