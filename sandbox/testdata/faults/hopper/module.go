// Package hopper is a sandbox fixture: its Start leaves a process behind
// that leaves its session, empties its environment, moves to / and
// changes pid every 20ms.
package hopper

import (
	"context"
	_ "embed"
	"encoding/json"
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

//go:embed params.json
var paramsJSON []byte

// params is what the sandbox's test puts in params.json.
var params struct {
	Nonce string // in the command line of the hopper
}

func init() { json.Unmarshal(paramsJSON, &params) }

// Start starts the hopper and returns.
func (*Module) Start(context.Context, *framework.App) error {
	cmd := exec.Command("/bin/sh", "-c", `cd /; exec env -i HOP="$HOP" setsid sh -c "$HOP" hopper-`+params.Nonce)
	cmd.Env = []string{`HOP=sleep 0.02; (setsid sh -c "$HOP" "$0" &); exit 0`}
	return cmd.Start()
}
