package prefs

import "github.com/modls/modls/framework"

// A test may load a deliberately broken struct: quiet.
type broken struct {
	Name string `default:"x" validate:"nope"`
}

func loadBroken(s *framework.Setup) { framework.Settings[broken](s) }
