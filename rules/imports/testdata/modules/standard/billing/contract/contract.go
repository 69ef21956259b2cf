// Package contract is standard.billing's contract.
package contract

// Invoices is the billing.invoices service.
type Invoices interface{ Total() int }
