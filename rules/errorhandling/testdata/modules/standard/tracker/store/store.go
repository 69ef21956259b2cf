// Package store is a sub-package of the module: module code too. Its
// sentinels and what its functions return reach the module's services
// through facts.
package store

import (
	"context"
	"errors"

	"github.com/modls/modls/framework"
)

// ErrGone carries no code.
var ErrGone = errors.New("gone") // want ErrGone:"plain sentinel made by errors.New"

// ErrBusy does.
var ErrBusy = framework.Errorf(framework.CodeUnavailable, "busy")

// Lookup returns errors that carry a code.
func Lookup(ctx context.Context) error { // want Lookup:"returns coded errors"
	if ctx.Err() != nil {
		return framework.AsError(ctx.Err())
	}
	return nil
}

func Kind(n int) string {
	switch {
	case n < 0:
		return "negative"
	case n >= 0:
		return "non-negative"
	}
	panic("unreachable") // want `call of panic in module code`
}
