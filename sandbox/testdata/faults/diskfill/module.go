// Package diskfill is a sandbox fixture: its Start writes 3 GiB to its
// temporary directory.
package diskfill

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

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

// Start writes 3 GiB, a MiB at a time.
func (*Module) Start(context.Context, *framework.App) error {
	f, err := os.Create(filepath.Join(os.TempDir(), "fill"))
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for i := 0; i < 3<<10; i++ {
		if _, err := f.Write(buf); err != nil {
			return fmt.Errorf("wrote %d MiB: %w", i, err)
		}
	}
	return nil
}
