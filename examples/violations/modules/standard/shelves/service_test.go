package shelves

import (
	"context"
	"testing"
)

func TestTitles(t *testing.T) {
	s := &Service{}
	if _, err := s.Titles(context.Background(), ""); err == nil {
		t.Fatal("an empty shelf was accepted")
	}
	_ = []any{s.byIDs, s.first, s.shelfOf, s.byTitle, s.byISBN, s.shelve, s.remove}
}
