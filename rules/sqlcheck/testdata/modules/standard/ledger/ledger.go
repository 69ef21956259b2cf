package ledger

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

const (
	createEntries = `CREATE TABLE ledger_entries (
		id         INTEGER PRIMARY KEY,
		account    TEXT    NOT NULL,
		amount     INTEGER NOT NULL,
		created_at TEXT    NOT NULL
	)`
	createIndex = "CREATE INDEX ledger_entries_account ON ledger_entries(account)"
	addNote     = "ALTER TABLE ledger_entries ADD COLUMN note TEXT NOT NULL DEFAULT ''"
)

type Module struct{ db *framework.DB }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	if err := s.Migrate(createEntries, createIndex); err != nil {
		return err
	}
	return s.Migrate(addNote)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}
