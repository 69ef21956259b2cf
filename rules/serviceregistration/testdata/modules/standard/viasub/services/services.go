// Package services registers the module's services for its Setup, with a
// name that is not constant: the module registers a service all the same.
package services

import "github.com/modls/modls/framework"

func Register(s *framework.Setup, name string, impl any) error {
	return s.RegisterService(name, impl, framework.ServiceMethod{Name: "Send", Description: "Send sends.", Returns: "error"})
}
