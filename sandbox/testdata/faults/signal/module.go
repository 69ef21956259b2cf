// Package signal is a sandbox fixture: its Start kills and traces a
// process of the host.
package signal

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

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
	PID int // a process of the host
}

func init() { json.Unmarshal(paramsJSON, &params) }

// Start signals and traces the process; it returns nil if either worked.
func (*Module) Start(context.Context, *framework.App) error {
	kerr := syscall.Kill(params.PID, syscall.SIGKILL)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	perr := syscall.PtraceAttach(params.PID)
	if perr == nil {
		syscall.PtraceDetach(params.PID)
	}
	if kerr == nil || perr == nil {
		return nil
	}
	return fmt.Errorf("pid %d: %w", params.PID, errors.Join(os.NewSyscallError("kill", kerr), os.NewSyscallError("ptrace", perr)))
}
