package inventory

import (
	"context"
	"testing"
)

func TestCountUsesTheCache(t *testing.T) {
	s := newStock()
	s.remember("CHAIR-1", 4)
	if n := s.Count(context.Background(), "CHAIR-1"); n != 4 {
		t.Errorf("Count = %d, want 4", n)
	}
}

func TestReserveAndRestockRefuseBadCounts(t *testing.T) {
	ctx := context.Background()
	s := newStock()
	if _, err := s.Reserve(ctx, "CHAIR-1", 0); err == nil {
		t.Error("Reserve of 0 items succeeded")
	}
	if err := s.Restock(ctx, "", 3); err == nil {
		t.Error("Restock without a SKU succeeded")
	}
}

func TestSnapshotCopiesTheCache(t *testing.T) {
	s := newStock()
	s.seed([]byte("CHAIR-1,4\nTABLE-2, 1\nbroken line\n"))
	snap, err := (&Levels{stock: s}).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Levels) != 2 || snap.Levels["TABLE-2"] != 1 {
		t.Errorf("levels = %v", snap.Levels)
	}
}
