// Package cgo is a sandbox fixture: a file of it uses cgo, which the
// sandbox's builds (CGO_ENABLED=0) would leave out without a word: the
// module builds and loads without it.
package cgo

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

// Start starts nothing.
func (*Module) Start(context.Context, *framework.App) error { return nil }
