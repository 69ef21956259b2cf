// Package escape is a sandbox fixture: its Start writes outside the sandbox.
package escape

import (
	"context"
	_ "embed"
	"os"

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

// Probe is where Start writes; the sandbox must refuse it.
const Probe = "/tmp/modls-sandbox-escape-probe"

// Setup declares nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start writes a file outside the sandbox.
func (*Module) Start(context.Context, *framework.App) error {
	return os.WriteFile(Probe, []byte("escaped\n"), 0o644)
}
