// Package secrets is a sandbox fixture: its Start reads what module code
// must not: a file outside the sandbox, the user's home, /etc/shadow, the
// environment of the process running the sandbox, and the real
// workspace.
package secrets

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
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

//go:embed params.json
var paramsJSON []byte

// params is what the sandbox's test puts in params.json.
var params struct {
	Secret    string // a file outside the sandbox
	Home      string // the home directory of the user running the sandbox
	Workspace string // go.mod of the real workspace
	PID       int    // the process running the sandbox
}

func init() { json.Unmarshal(paramsJSON, &params) }

// Start reads each secret; it returns nil if it read any.
func (*Module) Start(context.Context, *framework.App) error {
	var errs []error
	read := func(name string) {
		if _, err := os.ReadFile(name); err != nil {
			errs = append(errs, err)
		}
	}
	read(params.Secret)
	read("/etc/shadow")
	read(fmt.Sprintf("/proc/%d/environ", params.PID))
	read(params.Workspace)
	if _, err := os.ReadDir(params.Home); err != nil {
		errs = append(errs, err)
	}
	if len(errs) < 5 {
		return nil // a secret was read
	}
	return fmt.Errorf("secrets: %w", errors.Join(errs...))
}
