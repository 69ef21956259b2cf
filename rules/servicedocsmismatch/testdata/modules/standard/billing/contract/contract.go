// Package contract holds the module's types that other modules use.
package contract

import "context"

// Event is a recorded event.
type Event struct {
	ID   int64
	Name string
}

// Status is an event's status.
type Status string

// StatusOpen is the status of a new event.
const StatusOpen Status = "open"

// Tracker is the service as other modules see it.
type Tracker interface {
	Track(ctx context.Context, name string) error
}
