//go:build integration

package child

import (
	"os/exec"
	"testing"
)

func TestStartsWorker(t *testing.T) {
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The test ends without waiting for the worker.
}
