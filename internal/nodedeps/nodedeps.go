// Package nodedeps gives the tests that build the editor extensions the
// Node packages of a directory exactly as its package-lock.json locks
// them, installing them only when they are not: make test's node-deps
// step has installed them, and each npm ci would delete and rewrite
// node_modules again (some 20 CPU seconds each on a 2-core machine).
package nodedeps

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Current reports whether dir's node_modules is as its package-lock.json
// locks it: npm ci writes node_modules/.package-lock.json last, so it is
// there and not older than the lock file (the test make node-deps makes).
func Current(dir string) bool {
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return false
	}
	installed, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json"))
	return err == nil && !installed.ModTime().Before(lock.ModTime())
}

// Ensure runs npm ci in dir unless node_modules is current. Test packages
// that run at once take turns, through a lock file of the directory's
// own, so that one installs and the others find it done.
func Ensure(t testing.TB, npm, dir string, env []string) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(abs))
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "modls-npm-ci-"+hex.EncodeToString(sum[:8])+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if Current(abs) {
		return
	}
	cmd := exec.Command(npm, "ci", "--prefer-offline", "--loglevel=error")
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", abs, err, strings.TrimSpace(string(out)))
	}
}
