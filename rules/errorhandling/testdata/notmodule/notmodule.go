// Package notmodule is outside any module directory: not module code, so
// quiet.
package notmodule

import (
	"errors"
	"os"

	"github.com/modls/modls/framework"
)

type Service struct{}

func (Service) Count() int { return 0 }

func (Service) Fail() error { return errors.New("plain") }

func setup(s *framework.Setup) error {
	s.Migrate("CREATE TABLE x (id INTEGER)")
	if len(os.Args) > 5 {
		os.Exit(2)
	}
	panic(s.RegisterService("x.y", Service{}))
}
