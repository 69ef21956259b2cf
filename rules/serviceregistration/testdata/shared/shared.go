// Package shared is not module code: it is never flagged.
package shared

import "github.com/modls/modls/framework"

func RegisterAll(s *framework.Setup, impl any) error {
	return s.RegisterService("delegates.service", impl, framework.ServiceMethod{Name: "Send", Description: "Send sends.", Returns: "error"})
}
