// Package contract is standard.inventory's contract.
package contract

// Stock is the inventory.stock service.
type Stock interface{ Level(sku string) int }
