// Package forkstorm is a sandbox fixture: its Start starts 2,000
// processes.
package forkstorm

import (
	"context"
	_ "embed"
	"fmt"
	"os/exec"

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

// Start starts 2,000 sleeps.
func (*Module) Start(context.Context, *framework.App) error {
	for i := 0; i < 2000; i++ {
		if err := exec.Command("sleep", "60").Start(); err != nil {
			return fmt.Errorf("started %d processes: %w", i, err)
		}
	}
	return nil
}
