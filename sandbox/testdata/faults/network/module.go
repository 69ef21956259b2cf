// Package network is a sandbox fixture: its Start connects to a listener
// that the sandbox's test opens on the host's 127.0.0.1.
package network

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
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

//go:embed params.json
var paramsJSON []byte

// params is what the sandbox's test puts in params.json.
var params struct {
	Addr string // host:port on the host
}

func init() { json.Unmarshal(paramsJSON, &params) }

// Start connects; it returns nil if the connection was made.
func (*Module) Start(context.Context, *framework.App) error {
	c, err := net.DialTimeout("tcp", params.Addr, 5*time.Second)
	if err != nil {
		return fmt.Errorf("reaching the host: %w", err)
	}
	c.Close()
	return nil
}
