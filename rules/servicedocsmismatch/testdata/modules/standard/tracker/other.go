package tracker

import fwk "github.com/modls/modls/framework"

// registerOther uses another name for the framework: the fix follows it.
func registerOther(s *fwk.Setup, svc *Service) error {
	return s.RegisterService("tracker.other", svc, fwk.ServiceMethod{Name: "Count", Description: "Count counts events.", Returns: "(int, error)"}) // want `^ServiceMethod Count has no Params, the method has 2 \(ctx context.Context, names \.\.\.string\)$`
}
