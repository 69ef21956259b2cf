package loans

import (
	"context"
	"testing"
)

func TestLendNeedsAMember(t *testing.T) {
	s := &Service{}
	if _, err := s.Lend(context.Background(), 1, "", 0); err == nil {
		t.Fatal("a loan without a member was accepted")
	}
	if loans, err := s.Overdue(context.Background(), nil); err != nil || loans != nil {
		t.Fatalf("no members: %v, %v", loans, err)
	}
	_ = []any{s.Return, s.returnAll, s.dueBefore, s.Forget, purge, lookupShelves, s.byMember, s.Check}
}
