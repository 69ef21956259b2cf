package loans

import (
	"context"
	"fmt"

	"github.com/modls/modls/framework"
)

// ErrLimit is coded, declared as an error.
var ErrLimit error = framework.Errorf(framework.CodeTooLarge, "too many loans")

// errWrapped wraps a coded error.
var errWrapped = fmt.Errorf("loans: %w", framework.Errorf(framework.CodeUnavailable, "down"))

// limitError carries a code through Unwrap.
type limitError struct{ n int }

func (e *limitError) Error() string { return fmt.Sprintf("%d loans", e.n) }
func (e *limitError) Unwrap() error { return ErrLimit }

// Check checks a member's loans.
func (s *Service) Check(ctx context.Context, n int) error {
	switch {
	case n > 100:
		return ErrLimit
	case n > 50:
		return errWrapped
	case n > 10:
		return &limitError{n: n}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return nil
}
