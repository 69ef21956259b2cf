// Package membomb is a sandbox fixture: its Start allocates and touches
// 8 GiB.
package membomb

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

var keep [][]byte

// Start allocates 8 GiB, 64 MiB at a time, touching every page.
func (*Module) Start(context.Context, *framework.App) error {
	for i := 0; i < 128; i++ {
		b := make([]byte, 64<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	return nil
}
