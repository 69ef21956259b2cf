package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// buildModls builds this command into the test's temporary directory, for
// tests that need it as a process of its own (its own environment, a
// terminal).
func buildModls(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "modls")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
