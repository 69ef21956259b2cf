package catalog

import (
	"context"
	"slices"
	"testing"
)

func TestPutFindLatest(t *testing.T) {
	ctx := context.Background()
	m := New()
	for _, id := range []string{"A", "B", "A"} {
		if err := m.items.Put(ctx, Item{ID: id, Title: "t" + id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.items.Find(ctx, "C"); err == nil {
		t.Error("Find of a missing item succeeded")
	}
	ids, err := m.feeds.Latest(ctx, 10)
	if err != nil || !slices.Equal(ids, []string{"A", "B"}) {
		t.Errorf("Latest = %v, %v", ids, err)
	}
}
