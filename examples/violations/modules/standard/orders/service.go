package orders

import (
	"context"
	"sync"

	"example.com/violations/modules/standard/orders/contract"
	shipping "example.com/violations/modules/standard/shipping/contract"
	"github.com/modls/modls/framework"
)

// gramsPerItem is what one item weighs, packed.
const gramsPerItem = 750

// Service is the "orders.service" service.
type Service struct {
	quotes shipping.Quotes

	mu   sync.Mutex
	seq  int
	list []contract.Order
}

var _ contract.Orders = (*Service)(nil)

// Place places an order of qty items and prices its shipping.
func (s *Service) Place(ctx context.Context, item string, qty int) (contract.Order, error) {
	if item == "" || qty < 1 || qty > 100 {
		return contract.Order{}, framework.Errorf(framework.CodeInvalidArgument, "an order needs an item and a quantity of 1 to 100")
	}
	q, err := s.quotes.Quote(ctx, qty*gramsPerItem)
	if err != nil {
		return contract.Order{}, framework.AsError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	o := contract.Order{Seq: s.seq, Item: item, Qty: qty, ShippingCents: q.Cents}
	s.list = append(s.list, o)
	return o, nil
}
