// Package replace is a sandbox fixture: it imports a dependency that
// go.mod replaces with a directory outside the Go module.
package replace

import (
	"context"
	_ "embed"
	"fmt"

	"example.com/evil"

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

// Start uses the dependency.
func (*Module) Start(context.Context, *framework.App) error {
	if evil.Answer() != 42 {
		return fmt.Errorf("the dependency is broken")
	}
	return nil
}
