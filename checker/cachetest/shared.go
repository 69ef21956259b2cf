package cachetest

import (
	"fmt"
	"os"
	"path/filepath"
)

// sharedSeed returns the seed in dir, made by make (with the path to
// write) if no test process has made it yet. A lock on dir/seed.lock
// keeps two processes from making it at once; dir/seed.ok, written last,
// says the seed beside it is whole.
func sharedSeed(dir string, make func(path string) error) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("MODLS_TEST_SEED_DIR=%s is not an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(dir, "seed.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	path, ok := filepath.Join(dir, "seed.db"), filepath.Join(dir, "seed.ok")
	if _, err := os.Stat(ok); err == nil {
		return path, nil
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := make(path); err != nil {
		return "", err
	}
	if err := os.WriteFile(ok, nil, 0o644); err != nil {
		return "", err
	}
	return path, nil
}
