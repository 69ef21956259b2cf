//go:build unix

package proctest

import (
	"os/exec"
	"syscall"
	"testing"
)

// TestEndGroup: a shell whose child outlives it is ended with the child.
func TestEndGroup(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 60 >/dev/null 2>&1 & echo started")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if out, err := cmd.Output(); err != nil || string(out) != "started\n" {
		t.Fatalf("sh: %q %v", out, err)
	}
	pgid := cmd.Process.Pid
	if len(LiveInGroup(pgid)) != 1 {
		t.Fatalf("live in the group after sh exited: %v; want the sleep", LiveInGroup(pgid))
	}
	EndGroup(t, pgid)
	if live := LiveInGroup(pgid); len(live) != 0 {
		t.Errorf("still live: %v", live)
	}
}
