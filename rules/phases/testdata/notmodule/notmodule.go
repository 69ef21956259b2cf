// Package notmodule is not a framework module: nothing here is reported.
// Its exported functions have facts, for module code that calls them.
package notmodule

import (
	"os"

	"github.com/modls/modls/framework"
)

type Module struct{}

func (Module) Setup(s *framework.Setup) error { // want Setup:"phase effects: goroutine started during Setup; I/O \\(os.ReadFile\\) during Setup"
	go func() {}()
	_, err := os.ReadFile("x")
	return err
}
