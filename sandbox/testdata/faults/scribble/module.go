// Package scribble is a sandbox fixture: its Start, and its integration
// test, write into the real workspace, at the path the test of the sandbox
// puts in the file target.
package scribble

import (
	"context"
	_ "embed"
	"os"
	"strings"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

//go:embed target
var target string

// Target is the file of the real workspace that Start writes; the
// integration test writes Target()+".test".
func Target() string { return strings.TrimSpace(target) }

// Module is the fixture module.
type Module struct{}

// New returns the module.
func New() *Module { return &Module{} }

// Manifest returns manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup declares nothing.
func (*Module) Setup(*framework.Setup) error { return nil }

// Start writes outside the sandbox, into the real workspace.
func (*Module) Start(context.Context, *framework.App) error {
	return os.WriteFile(Target(), []byte("written by module code\n"), 0o644)
}
