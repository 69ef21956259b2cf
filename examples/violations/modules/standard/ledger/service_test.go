package ledger

import (
	"context"
	"testing"
)

func TestLedgerBalances(t *testing.T) {
	ctx := context.Background()
	m := New()
	if _, err := m.entries.Append(ctx, "cash", 0); err == nil {
		t.Error("Append of a zero amount succeeded")
	}
	for _, e := range []struct {
		account string
		cents   int64
	}{{"cash", -500}, {"sales", 500}} {
		if _, err := m.entries.Append(ctx, e.account, e.cents); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := m.entries.Balance(ctx, "cash"); err != nil || b != -500 {
		t.Errorf("Balance(cash) = %d, %v", b, err)
	}
	if sum, err := m.totals.Sum(ctx); err != nil || sum != 0 {
		t.Errorf("Sum = %d, %v", sum, err)
	}
	if n, err := m.archive.Seal(ctx); err != nil || n != 1 {
		t.Errorf("Seal = %d, %v", n, err)
	}
}
