// Package notmodule registers an untested service outside any module
// directory: not module code, so quiet.
package notmodule

import "github.com/modls/modls/framework"

type Service struct{}

func (Service) Untested() error { return nil }

func setup(s *framework.Setup) error {
	return s.RegisterService("x.y", Service{}, framework.ServiceMethod{Name: "Untested"})
}
