package tracker

import (
	"context"
	"errors"
	"fmt"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/tracker/store"
)

var ErrNotFound = framework.Errorf(framework.CodeNotFound, "no such event")

var errClosed = errors.New("closed")

// Service tracks events.
type Service struct {
	db   *framework.DB
	peer Peer
	embedded
}

// Peer is another module's service, through its contract: its errors
// carry codes.
type Peer interface{ Ping(ctx context.Context) error }

func (s *Service) Track(ctx context.Context, name string) error {
	switch {
	case name == "":
		return errors.New("name is required") // want `service method Track returns a plain error made by errors\.New`
	case len(name) > 100:
		return fmt.Errorf("name %q is longer than 100 bytes", name) // want `service method Track returns a plain error made by fmt\.Errorf`
	case name == "x":
		return framework.Errorf(framework.CodeInvalidArgument, "name %q is reserved", name)
	case name == "y":
		return ErrNotFound
	case name == "z":
		return errClosed // want `service method Track returns errClosed, a plain error made by errors\.New`
	case name == "s":
		return store.ErrGone // want `service method Track returns store\.ErrGone, a plain error made by errors\.New`
	case name == "b":
		return store.ErrBusy
	case name == "t":
		return fmt.Errorf("looking up: %w", store.Lookup(ctx))
	case name == "r":
		return fmt.Errorf("not found: %w", ErrNotFound)
	case name == "o":
		return fmt.Errorf("peer: %w", s.peer.Ping(ctx))
	case name == "v":
		return framework.Errorf(framework.CodeUnavailable, "wrapped: %w", errClosed)
	case name == "u":
		return framework.AsError(errClosed)
	}
	err := s.db.IntegritySession(ctx, "track", func(tx *framework.Tx) error {
		if name == "w" {
			return errors.New("returned to the session, not across the boundary")
		}
		_, err := tx.Exec("INSERT INTO tracker_events DEFAULT VALUES")
		return err
	})
	if err != nil {
		return fmt.Errorf("tracking %q: %w", name, err) // want `service method Track returns a plain error made by fmt\.Errorf`
	}
	return err
}

func (s *Service) Lookup(ctx context.Context, id int64) (string, error) {
	if id < 0 {
		return "", errors.New(fmt.Sprintf("id %d is negative", id)) // want `service method Lookup returns a plain error made by errors\.New`
	}
	return "", (errors.New("100% missing")) // want `service method Lookup returns a plain error made by errors\.New`
}

func (s *Service) Count(ctx context.Context) int { return 0 } // want `exported service method Count returns int last, not error`

func (s *Service) Reset() {} // want `exported service method Reset returns no error`

func (s *Service) Find(ctx context.Context, id int64) (string, *framework.Error) { // want `exported service method Find returns \*framework\.Error last, not error`
	return "", nil
}

// Chain wraps the error assigned last before each return.
func (s *Service) Chain(ctx context.Context) error {
	err := s.peer.Ping(ctx)
	if err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	err = s.db.IntegritySession(ctx, "chain", func(tx *framework.Tx) error { return nil })
	if err != nil {
		return fmt.Errorf("chain: %w", err) // want `service method Chain returns a plain error made by fmt\.Errorf`
	}
	return nil
}

// helper is unexported: not a service method.
func (s *Service) helper() error { return errors.New("internal helper") }

type embedded struct{}

// Promoted reaches the service through an embedded type of the package.
func (embedded) Promoted() bool { return true } // want `exported service method Promoted returns bool last, not error`

// notRegistered is no service: its methods are quiet.
type notRegistered struct{}

func (notRegistered) Name() string { return "" }

func (notRegistered) Fail() error { return errors.New("not a service") }
