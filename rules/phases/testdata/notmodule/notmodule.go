// Package notmodule is not a framework module: nothing here is reported.
package notmodule

import (
	"os"

	"github.com/modls/modls/framework"
)

type Module struct{}

func (Module) Setup(s *framework.Setup) error {
	go func() {}()
	_, err := os.ReadFile("x")
	return err
}
