package orders

import (
	"context"
	"testing"

	shipping "example.com/violations/modules/standard/shipping/contract"
)

type flatRate struct{}

func (flatRate) Quote(ctx context.Context, grams int) (shipping.Quote, error) {
	return shipping.Quote{Grams: grams, Cents: 499}, nil
}

func TestPlace(t *testing.T) {
	svc := &Service{quotes: flatRate{}}
	if _, err := svc.Place(context.Background(), "CHAIR-1", 0); err == nil {
		t.Error("Place of 0 items succeeded")
	}
	o, err := svc.Place(context.Background(), "CHAIR-1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if o.Seq != 1 || o.ShippingCents != 499 {
		t.Errorf("order = %+v", o)
	}
}
