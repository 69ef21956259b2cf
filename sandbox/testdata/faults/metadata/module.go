// Package metadata is a sandbox fixture: its Start changes the mode, the
// owner, an extended attribute and the times of a file outside the
// sandbox.
package metadata

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
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
	File string // a file outside the sandbox
}

func init() { json.Unmarshal(paramsJSON, &params) }

// Start changes the file's metadata; it returns nil if any change went
// through.
func (*Module) Start(context.Context, *framework.App) error {
	f := params.File
	errs := []error{
		os.Chmod(f, 0o777),
		os.Chown(f, os.Getuid(), os.Getgid()),
		os.Chtimes(f, time.Unix(1, 0), time.Unix(1, 0)),
	}
	if err := syscall.Setxattr(f, "user.modls", []byte("x"), 0); err != nil {
		errs = append(errs, &fs.PathError{Op: "setxattr", Path: f, Err: err})
	} else {
		errs = append(errs, nil)
	}
	for _, err := range errs {
		if err == nil {
			return nil // a change went through
		}
	}
	return fmt.Errorf("metadata: %w", errors.Join(errs...))
}
