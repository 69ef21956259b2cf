package tracker

import "github.com/modls/modls/framework"

// Registrations in tests are left out: a test may register a fake, or a
// name that the framework refuses on purpose.
func registerForTest(s *framework.Setup) {
	_ = s.RegisterService("tracker.service", &Service{})
	_ = s.RegisterService("alerts.service", &Service{})
	_ = s.RegisterService("bad name", &Service{})
}
