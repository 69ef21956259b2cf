// Package contract is what other modules may use of standard.ledger.
package contract

// ServiceName is the name standard.ledger registers its service under.
const ServiceName = prefix + ".entries"

const prefix = "ledger"

// Kind names a service by a typed constant.
type Kind string

// Archive is the name of standard.ledger's second service.
const Archive Kind = "ledger.archive"
