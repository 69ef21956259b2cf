// Package contract is standard.reports's contract; it builds on billing's,
// a declared dependency.
package contract

import billing "example.com/ruletest/modules/standard/billing/contract"

// Report sums invoices.
type Report struct{ Source billing.Invoices }
