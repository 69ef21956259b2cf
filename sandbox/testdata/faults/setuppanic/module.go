// Package setuppanic is a sandbox fixture: its Setup panics.
package setuppanic

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the fixture module.
type Module struct{}

// New returns the module.
func New() *Module { return &Module{} }

// Manifest returns manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup panics.
func (*Module) Setup(*framework.Setup) error {
	var settings map[string]int
	settings["retries"] = 3 // assignment to entry in nil map
	return nil
}

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
