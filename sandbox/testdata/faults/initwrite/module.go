// Package initwrite is a sandbox fixture: its package initialisation, which
// runs before the harness's main, writes into the real workspace and opens
// the standard output of its parent process for writing (under modls serve,
// that is the editor's connection).
package initwrite

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
	Target string // a file of the real workspace
}

func init() { json.Unmarshal(paramsJSON, &params) }

// initErr is what package initialisation met.
var initErr error

// init runs after the one that reads params.json, before the harness's
// main.
func init() {
	werr := os.WriteFile(params.Target, []byte("written by init\n"), 0o644)
	f, perr := os.OpenFile(fmt.Sprintf("/proc/%d/fd/1", os.Getppid()), os.O_WRONLY, 0)
	if perr == nil {
		fmt.Fprint(f, "Content-Length: 2\r\n\r\n{}")
		f.Close()
	}
	initErr = errors.Join(werr, perr)
}

// Start reports what package initialisation met.
func (*Module) Start(context.Context, *framework.App) error {
	if initErr != nil {
		return fmt.Errorf("init: %w", initErr)
	}
	return nil
}
