package tracker

import (
	"os"
	"testing"

	"github.com/modls/modls/framework"
)

// Test files may panic, exit and ignore errors.
func TestMain(m *testing.M) { os.Exit(m.Run()) }

// fake is a service registered by a test only: quiet.
type fake struct{}

func (fake) Bad() int { return 0 }

func setupFake(s *framework.Setup) {
	s.RegisterService("tracker.fake", fake{})
	s.Migrate("CREATE TABLE tracker_fake (id INTEGER)")
}

func TestPanics(t *testing.T) {
	defer func() { _ = recover() }()
	_ = setupFake
	panic("tests may panic")
}
