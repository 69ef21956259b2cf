// Package fkbreak is a sandbox fixture: a session breaks a foreign key and the error is dropped.
package fkbreak

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the fixture module.
type Module struct{}

// New returns the module.
func New() *Module { return &Module{} }

// Manifest returns manifest.json.
func (*Module) Manifest() []byte { return manifest }

// SyncResponse answers GET /sync.
type SyncResponse struct {
	Synced bool `json:"synced"`
}

// Module state.
var db *framework.DB

// Setup declares the schema and the routes.
func (*Module) Setup(s *framework.Setup) error {
	if err := s.Migrate(
		`CREATE TABLE fkbreak_lists (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE fkbreak_items (
	id      INTEGER PRIMARY KEY,
	list_id INTEGER NOT NULL REFERENCES fkbreak_lists (id) DEFERRABLE INITIALLY DEFERRED,
	title   TEXT NOT NULL
)`,
	); err != nil {
		return err
	}
	return s.Handle(
		framework.GET("/status", func(context.Context, *framework.Request) (SyncResponse, error) {
			return SyncResponse{}, nil
		}),
		framework.GET("/sync", func(ctx context.Context, _ *framework.Request) (SyncResponse, error) {
			db.IntegritySession(ctx, "sync items", func(tx *framework.Tx) error {
				_, err := tx.Exec(`INSERT INTO fkbreak_items (list_id, title) VALUES (42, 'orphan')`)
				return err
			})
			return SyncResponse{Synced: true}, nil
		}),
	)
}

// Start keeps the database handle.
func (*Module) Start(_ context.Context, app *framework.App) error {
	db = app.DB()
	return nil
}
