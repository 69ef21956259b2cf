package stock

import (
	"testing"

	"github.com/modls/modls/framework"
)

// A test may register a fake under any name: it is not the module's.
func fake(s *framework.Setup) error { return s.RegisterService("stock.fake", &Levels{}) }

func TestFake(t *testing.T) { _ = fake }
