// Package notmodule is not a framework module: nothing here is reported.
package notmodule

import (
	"context"
	"database/sql"

	"github.com/modls/modls/framework"
)

func Write(ctx context.Context, db *framework.DB, own *sql.DB) {
	db.Query(ctx, "INSERT INTO t (x) VALUES (1)")
	own.Exec("DELETE FROM t")
}
