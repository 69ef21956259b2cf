// Package flood is a sandbox fixture: its Start writes to standard output
// without end.
package flood

import (
	"bytes"
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

// Setup declares nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start writes until it is stopped.
func (*Module) Start(context.Context, *framework.App) error {
	line := bytes.Repeat([]byte("flood "), 1<<12)
	for {
		if _, err := os.Stdout.Write(line); err != nil {
			return err
		}
	}
}
