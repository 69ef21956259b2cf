package checker

import (
	"bytes"
	"context"
	"os/exec"
	"syscall"
)

// groupOutput runs cmd in a process group of its own and returns its
// standard output. When ctx is done, or modls dies, the whole group is
// killed: the go command ignores interrupts while its compilers run, and
// a go command killed alone leaves them running.
func groupOutput(ctx context.Context, cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pgid := cmd.Process.Pid
	stop := context.AfterFunc(ctx, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
	err := cmd.Wait()
	stop()
	if ctx.Err() != nil {
		syscall.Kill(-pgid, syscall.SIGKILL)
		return nil, ctx.Err()
	}
	return out.Bytes(), err
}
