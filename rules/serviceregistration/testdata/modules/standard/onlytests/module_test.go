package onlytests

import "github.com/modls/modls/framework"

// A registration in a test does not count.
func registerForTest(s *framework.Setup) error {
	return s.RegisterService("onlytests.service", &Service{}, sendDoc)
}
