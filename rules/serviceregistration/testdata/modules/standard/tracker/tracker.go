package tracker

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

const otherName = "tracker." + "other"

type Module struct {
	svc     *Service
	name    string
	primary bool
	mode    int
}

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	// Correct registrations: quiet.
	if err := s.RegisterService("tracker.service", m.svc, trackDoc); err != nil {
		return err
	}
	if err := s.RegisterService(otherName, m.svc, methods...); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.with_digits2", m.svc, trackDoc); err != nil {
		return err
	}

	// Names the framework refuses.
	_ = s.RegisterService("tracker_bad", m.svc, trackDoc)   // want `^service name tracker_bad is not of the form tracker.<name>$`
	_ = s.RegisterService("tracker.Bad", m.svc, trackDoc)   // want `^service name tracker.Bad is not of the form tracker.<name>: <name> is lowercase letters, digits and _, starting with a letter$`
	_ = s.RegisterService("tracker.", m.svc, trackDoc)      // want `service name tracker. is not of the form tracker.<name>`
	_ = s.RegisterService("other.service", m.svc, trackDoc) // want `service name other.service is not of the form tracker.<name>`
	_ = s.RegisterService("", m.svc, trackDoc)              // want `service name is empty; want the form tracker.<name>`

	// No ServiceMethod entries.
	_ = s.RegisterService("tracker.empty", m.svc)                                       // want `^service tracker.empty is registered without ServiceMethod entries$`
	_ = s.RegisterService("tracker.empty_slice", m.svc, []framework.ServiceMethod{}...) // want `service tracker.empty_slice is registered without ServiceMethod entries`
	_ = s.RegisterService(m.name, m.svc)                                                // want `^service is registered without ServiceMethod entries$` `^service name is not a constant: modls cannot check its form`
	_ = s.RegisterService(m.name, m.svc, trackDoc)                                      // want `^service name is not a constant: modls cannot check its form, that it is unique, or who looks it up$`

	// The same name twice on one path.
	_ = s.RegisterService("tracker.twice", m.svc, trackDoc) // want `^service tracker.twice is registered twice in module standard.tracker$`
	_ = s.RegisterService("tracker.twice", m.svc, trackDoc) // want `service tracker.twice is registered twice in module standard.tracker`

	// Alternatives, not duplicates: quiet.
	if m.primary {
		_ = s.RegisterService("tracker.either", m.svc, trackDoc)
	} else {
		_ = s.RegisterService("tracker.either", m.svc, trackDoc)
	}
	switch m.mode {
	case 1:
		_ = s.RegisterService("tracker.mode", m.svc, trackDoc)
	case 2:
		_ = s.RegisterService("tracker.mode", m.svc, trackDoc)
	}
	if m.mode > 2 {
		return s.RegisterService("tracker.early", m.svc, trackDoc)
	}
	return s.RegisterService("tracker.early", m.svc, trackDoc)
}

// register registers tracker.service as well: another function, which Setup
// may call instead of registering it itself; quiet.
func (m *Module) register(s *framework.Setup) error {
	return s.RegisterService("tracker.service", m.svc, trackDoc)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

var trackDoc = framework.ServiceMethod{Name: "Track", Description: "Track records an event.", Returns: "error"}

var methods = []framework.ServiceMethod{trackDoc}

type Service struct{}

func (s *Service) Track() error { return nil }
