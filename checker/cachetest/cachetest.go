// Package cachetest keeps tests off the user's modls cache.
//
// A test package whose tests start a check or a server runs them through
// Main, and each such test takes a cache of its own with Use:
//
//	func TestMain(m *testing.M) { cachetest.Main(m) }
//
//	func TestX(t *testing.T) {
//		cachetest.Use(t) // MODLS_CACHE in a t.TempDir()
//		...
//	}
//
// Main moves the user cache directory ($XDG_CACHE_HOME) of the test
// process and of everything it starts to a fresh temporary directory and
// unsets MODLS_CACHE, so a test that forgets Use falls back to a default
// cache that is not the user's, and the run fails naming what that test
// wrote there.
package cachetest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/internal/testbin"
)

// Main runs the tests of m with the default modls cache moved out of the
// user's cache directory, and exits. The run fails if any test wrote the
// default cache, that is, started a check or a server without Use.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := redirect()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cachetest: %v\n", err)
		return 2
	}
	code := m.Run()
	if err := Untouched(dir); err != nil {
		fmt.Fprintf(os.Stderr, "cachetest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.RemoveAll(dir)
	RemoveSeed()
	testbin.Cleanup()
	return code
}

// redirect points XDG_CACHE_HOME at a new temporary directory, which it
// returns, and unsets MODLS_CACHE. The Go build cache stays where it was
// (GOCACHE is set to it first), so builds in tests stay warm.
func redirect() (string, error) {
	if os.Getenv("GOCACHE") == "" {
		// The go command's own default follows XDG_CACHE_HOME: pin it.
		if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
			if gocache := strings.TrimSpace(string(out)); gocache != "" {
				os.Setenv("GOCACHE", gocache)
			}
		}
	}
	dir, err := os.MkdirTemp("", "modls-usercache-")
	if err != nil {
		return "", err
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	os.Unsetenv("MODLS_CACHE")
	return dir, nil
}

// Untouched reports an error naming the files of a modls cache under the
// user cache directory dir, if there are any.
func Untouched(dir string) error {
	modls := filepath.Join(dir, "modls")
	if _, err := os.Lstat(modls); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	written := []string{modls + string(filepath.Separator)}
	filepath.WalkDir(modls, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			written = append(written, p)
		}
		return nil
	})
	if len(written) > 1 {
		written = written[1:]
	}
	return fmt.Errorf("a test used the default modls cache (%s); give every test that starts a check or a server its own with cachetest.Use(t)", strings.Join(written, ", "))
}

// Use gives the test a modls cache of its own, in t.TempDir(): it sets
// MODLS_CACHE for the test and the processes it starts, and returns the
// cache file's path. Like t.Setenv, it cannot be used in parallel tests.
func Use(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	t.Setenv("MODLS_CACHE", path)
	return path
}
