//go:build !linux

package checker

import "os/exec"

// ownGroup leaves cmd in modls's process group.
func ownGroup(cmd *exec.Cmd) {}

// stopCommand kills cmd alone.
func stopCommand(cmd *exec.Cmd) { cmd.Process.Kill() }
