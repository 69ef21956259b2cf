// Package contract is what other modules may use of standard.inventory.
package contract

import "context"

// Stock is the service standard.inventory registers as "inventory.stock".
type Stock interface {
	Count(ctx context.Context, sku string) int
	Reserve(ctx context.Context, sku string, n int) (int, error)
	Restock(ctx context.Context, sku string, n int) error
}
