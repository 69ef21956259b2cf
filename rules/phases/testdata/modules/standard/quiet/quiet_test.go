package quiet

import (
	"os"
	"testing"

	"github.com/modls/modls/framework"
)

// A fake module in a test may do anything in its Setup.
type fake struct{}

func (fake) Setup(s *framework.Setup) error {
	_, err := os.ReadFile("testdata/x.json")
	return err
}

func TestNothing(t *testing.T) {}
