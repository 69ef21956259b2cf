// Package notmodule is not a framework module: quiet.
package notmodule

import "github.com/modls/modls/framework"

type Settings struct {
	Name  string
	Count int `json:"count" default:"x" validate:"nope"`
}

func Load(s *framework.Setup) { framework.Settings[Settings](s) }
