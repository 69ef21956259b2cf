// Package contract is what other modules may use of standard.orders.
package contract

import "context"

// Orders is the service standard.orders registers as "orders.service".
type Orders interface {
	Place(ctx context.Context, item string, qty int) (Order, error)
}

// Order is one order.
type Order struct {
	Seq           int    `json:"seq"`
	Item          string `json:"item"`
	Qty           int    `json:"qty"`
	ShippingCents int64  `json:"shipping_cents"`
}
