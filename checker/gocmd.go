package checker

import (
	"bytes"
	"context"
	"os/exec"
)

// groupOutput runs cmd and returns its standard output. When ctx is done
// the command is stopped with everything it started (stopCommand): the go
// command ignores interrupts while its compilers run, and a go command
// killed alone leaves them running.
func groupOutput(ctx context.Context, cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { stopCommand(cmd) })
	err := cmd.Wait()
	stop()
	if ctx.Err() != nil {
		stopCommand(cmd)
		return nil, ctx.Err()
	}
	return out.Bytes(), err
}
