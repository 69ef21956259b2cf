package nodedeps

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCurrent(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "package-lock.json")
	installed := filepath.Join(dir, "node_modules", ".package-lock.json")
	write := func(name string, at time.Time) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(name, at, at); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if Current(dir) {
		t.Error("current without a package-lock.json")
	}
	write(lock, now)
	if Current(dir) {
		t.Error("current without node_modules")
	}
	write(installed, now.Add(-time.Hour))
	if Current(dir) {
		t.Error("current with node_modules older than the lock")
	}
	write(installed, now.Add(time.Second))
	if !Current(dir) {
		t.Error("not current with node_modules installed after the lock")
	}
	// Ensure has nothing to do then: npm is not even looked at.
	Ensure(t, "/nonexistent/npm", dir, nil)
}
