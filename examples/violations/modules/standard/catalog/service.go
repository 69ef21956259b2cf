package catalog

import (
	"context"
	"slices"
	"sync"

	"github.com/modls/modls/framework"
)

// Item is one product.
type Item struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Items is the "catalog.items" service.
type Items struct {
	mu    sync.Mutex
	byID  map[string]Item
	order []string // IDs, least recently put first
}

// Put adds or replaces an item.
func (s *Items) Put(ctx context.Context, item Item) error {
	if item.ID == "" {
		return framework.Errorf(framework.CodeInvalidArgument, "item ID is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[item.ID] = item
	s.order = append(slices.DeleteFunc(s.order, func(id string) bool { return id == item.ID }), item.ID)
	return nil
}

// Find returns the item with the given ID.
func (s *Items) Find(ctx context.Context, id string) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	item, ok := s.byID[id]
	if !ok {
		return Item{}, framework.Errorf(framework.CodeNotFound, "no item %q", id)
	}
	return item, nil
}

// Feeds is the "catalog.feeds" service.
type Feeds struct {
	items *Items
}

// Latest returns the IDs of at most limit items, most recently put first.
func (f *Feeds) Latest(ctx context.Context, limit int) ([]string, error) {
	if limit < 1 || limit > 100 {
		return nil, framework.Errorf(framework.CodeInvalidArgument, "limit %d is outside 1..100", limit)
	}
	f.items.mu.Lock()
	defer f.items.mu.Unlock()
	ids := slices.Clone(f.items.order)
	slices.Reverse(ids)
	return ids[:min(limit, len(ids))], nil
}
