// Package notmodule is not a framework module: nothing here is reported.
package notmodule

import (
	"context"
	"database/sql"

	"github.com/modls/modls/framework"
)

func Read(ctx context.Context, db *framework.DB, name string) {
	db.Query(ctx, "SELECT nope FROM nowhere")
	db.Query(ctx, "SELECT id FROM t WHERE name = '"+name+"'")
}

func Own(db *sql.DB) {
	db.Exec("SELEC 1")
}
