// Package hang is a sandbox fixture: its Start never returns.
package hang

import (
	"context"
	_ "embed"
	"fmt"
	"time"

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

// Started is the line Start prints before it hangs, so that a test knows
// the module is hanging.
const Started = "fault.hang: started"

// Start says it has started, then waits for something that never comes.
func (*Module) Start(context.Context, *framework.App) error {
	fmt.Println(Started)
	time.Sleep(time.Hour)
	return nil
}
