package checker

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own, killed should modls
// die.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// stopCommand kills cmd's process group.
func stopCommand(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
