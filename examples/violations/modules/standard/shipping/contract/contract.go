// Package contract is what other modules may use of standard.shipping.
package contract

import "context"

// Quotes is the service standard.shipping registers as "shipping.quotes".
type Quotes interface {
	Quote(ctx context.Context, grams int) (Quote, error)
}

// Quote is the price of shipping a parcel.
type Quote struct {
	Grams int   `json:"grams"`
	Cents int64 `json:"cents"`
}
