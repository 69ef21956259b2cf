package owndb

import (
	"context"
	"database/sql"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ db *sql.DB }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error { return nil }

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	db, err := sql.Open("sqlite", "owndb.sqlite")
	if err != nil {
		return err
	}
	m.db = db
	// Its own schema, unknown to modls: only syntax errors are reported.
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS own_items (id INTEGER PRIMARY KEY, name TEXT)"); err != nil {
		return err
	}
	if _, err := db.Query("SELECT id, name FROM own_items"); err != nil {
		return err
	}
	if _, err := db.Prepare("SELEC id FROM own_items"); err != nil { // want `near "SELEC": syntax error`
		return err
	}
	return nil
}

func (m *Module) find(ctx context.Context, name string) error {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.QueryContext(ctx, "SELECT id FROM own_items WHERE name = '"+name+"'") // want `SQL built from a non-constant string`
	return err
}
