// Package forge is a sandbox fixture: its package initialisation writes a
// passing result on the harness's descriptor 3, directly and through
// /proc/self/fd/3, and its integration test prints the end of a test that
// did not run.
package forge

import (
	"context"
	_ "embed"
	"fmt"
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

// Forged is the line package initialisation writes.
const Forged = `{"event":"check","check":"module loads","status":"pass","message":"forged by module code"}`

func init() {
	fmt.Fprintln(os.NewFile(3, "events"), Forged)
	if f, err := os.OpenFile("/proc/self/fd/3", os.O_WRONLY, 0); err == nil {
		fmt.Fprintln(f, `{"event":"check","check":"everything works","status":"pass"}`)
		f.Close()
	}
}

// Start starts nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
