package shipping

import (
	"context"
	"testing"
)

func TestQuote(t *testing.T) {
	svc := &Service{}
	for grams, want := range map[int]int64{1: 399, 1000: 399, 1001: 549, 2500: 699} {
		q, err := svc.Quote(context.Background(), grams)
		if err != nil || q.Cents != want {
			t.Errorf("Quote(%d) = %d, %v; want %d", grams, q.Cents, err, want)
		}
	}
	if _, err := svc.Quote(context.Background(), 0); err == nil {
		t.Error("Quote(0) succeeded")
	}
}
