// Package binwrite is a sandbox fixture: its Start replaces the harness
// and the integration test binary that the sandbox runs next, and opens
// the executable of its parent (the sandbox's supervisor, which is modls)
// for writing.
package binwrite

import (
	"context"
	_ "embed"
	"errors"
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

// Start tries to replace the sandbox's binaries; it returns nil if it
// replaced any.
func (*Module) Start(context.Context, *framework.App) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	script := []byte("#!/bin/sh\necho replaced\n")
	var errs []error
	// A running binary cannot be written, but it can be renamed over.
	if err := os.WriteFile(exe+".new", script, 0o755); err != nil {
		errs = append(errs, err)
	} else if err := os.Rename(exe+".new", exe); err != nil {
		errs = append(errs, err)
	} else {
		return nil
	}
	tests, _ := filepath.Glob(filepath.Join(filepath.Dir(exe), "*.test"))
	if len(tests) == 0 {
		errs = append(errs, fmt.Errorf("no test binary beside %s", exe))
	}
	for _, t := range tests {
		if err := os.WriteFile(t, script, 0o755); err != nil {
			errs = append(errs, err)
		} else {
			return nil
		}
	}
	if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/exe", os.Getppid()), os.O_WRONLY, 0); err != nil {
		errs = append(errs, err)
	} else {
		f.Close()
		return nil
	}
	return errors.Join(errs...)
}
