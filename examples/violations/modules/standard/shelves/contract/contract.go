// Package contract is what other modules may use of standard.shelves.
package contract

import (
	"context"
	"errors"
)

// ServiceName is the name standard.shelves registers its service under.
const ServiceName = "shelves.service"

// ErrGone is a plain sentinel: it carries no code.
var ErrGone = errors.New("shelf is gone")

// Shelves is the shelves service.
type Shelves interface {
	Titles(ctx context.Context, shelf string) ([]string, error)
}
