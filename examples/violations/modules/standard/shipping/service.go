package shipping

import (
	"context"

	"example.com/violations/modules/standard/shipping/contract"
	"github.com/modls/modls/framework"
)

// Service is the "shipping.quotes" service.
type Service struct{}

var _ contract.Quotes = (*Service)(nil)

// Quote returns the price of shipping a parcel of grams: 3.99 up to a
// kilogram and 1.50 for each kilogram or part of one after that.
func (*Service) Quote(ctx context.Context, grams int) (contract.Quote, error) {
	if grams < 1 || grams > 30000 {
		return contract.Quote{}, framework.Errorf(framework.CodeInvalidArgument, "weight %d g is outside 1..30000", grams)
	}
	cents := int64(399)
	if extra := grams - 1000; extra > 0 {
		cents += int64((extra+999)/1000) * 150
	}
	return contract.Quote{Grams: grams, Cents: cents}, nil
}
