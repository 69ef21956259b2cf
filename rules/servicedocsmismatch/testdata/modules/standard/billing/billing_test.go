package billing

import "github.com/modls/modls/framework"

// Registrations in tests are left out.
func registerForTest(s *framework.Setup) error {
	return s.RegisterService("billing.test", &Service{},
		framework.ServiceMethod{Name: "Void", Example: `svc.Void()`},
		framework.ServiceMethod{Name: "Track", Returns: "bool"},
	)
}
