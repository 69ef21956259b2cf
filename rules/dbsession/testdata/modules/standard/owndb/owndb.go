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
	if _, err := db.Exec("PRAGMA journal_mode = WAL"); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS own_items (id INTEGER PRIMARY KEY)"); err != nil { // want `database write \(CREATE\) through \(\*sql.DB\).ExecContext outside an IntegritySession`
		return err
	}
	return nil
}

func (m *Module) add(ctx context.Context, q string) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(q); err != nil { // want `database write through \(\*sql.Tx\).Exec outside an IntegritySession`
		tx.Rollback()
		return err
	}
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.QueryRowContext(ctx, "REPLACE INTO own_items (id) VALUES (1) RETURNING id") // want `database write \(REPLACE\) through \(\*sql.Conn\).QueryRowContext outside an IntegritySession`
	conn.QueryRowContext(ctx, "SELECT id FROM own_items")
	return tx.Commit()
}
