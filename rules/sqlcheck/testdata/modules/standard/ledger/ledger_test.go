package ledger

import (
	"context"
	"testing"

	"github.com/modls/modls/framework"
)

// A test's own Migrate call is not the module's schema.
func setupForTest(s *framework.Setup) error {
	return s.Migrate("CREATE TABLE ledger_test_only (id INTEGER)")
}

func readForTest(ctx context.Context, db *framework.DB) {
	db.Query(ctx, "SELECT nope FROM ledger_entries") // want `no such column: nope`
	db.Query(ctx, "SELECT id FROM ledger_entries")
}

func TestNothing(t *testing.T) {}
