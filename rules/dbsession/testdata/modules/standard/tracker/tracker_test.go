package tracker

import (
	"context"
	"testing"
)

// Tests may write fixtures directly.
func seed(ctx context.Context, m *Module) {
	m.db.Query(ctx, insertEvent, "fixture")
}

func TestNothing(t *testing.T) {}
