package tracker

import (
	"context"
	"testing"

	"github.com/modls/modls/framework"
)

func TestTrack(t *testing.T) {
	s := &Service{}
	if err := s.Track(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
}

// TestServiceReset takes the skeleton's first name: the fix numbers its own.
func TestServiceReset(t *testing.T) {}

// fake is a service registered by a test only: its methods need no test.
type fake struct{}

func (fake) Untested() error { return nil }

func setupFake(s *framework.Setup) error {
	return s.RegisterService("tracker.fake", fake{}, entries...)
}

var _ = setupFake
