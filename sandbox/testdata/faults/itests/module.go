// Package itests is a sandbox fixture: a module whose integration tests
// pass, fail, skip, panic and (in hang/) never finish.
package itests

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

// Setup declares nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start does nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }

// Count adds one to m[key]; a nil map makes it panic.
func Count(m map[string]int, key string) { m[key]++ }
