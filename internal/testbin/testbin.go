// Package testbin gives tests the modls command as a program to run.
//
// make test builds it once, before any test, and names it in
// $MODLS_TEST_BIN; every test package then runs that one binary instead of
// linking its own. Without it (go test run by hand), the first test that
// asks builds one for the test process, removed when the process ends.
package testbin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once sync.Once
	bin  string
	err  error
)

// Modls returns the path of a modls binary built from this repository.
func Modls(t testing.TB) string {
	t.Helper()
	once.Do(func() { bin, err = build() })
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Dir returns the directory holding the binary of Modls, for PATH.
func Dir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(Modls(t))
}

func build() (string, error) {
	if p := os.Getenv("MODLS_TEST_BIN"); p != "" {
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("MODLS_TEST_BIN=%s is not an absolute path", p)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MODLS_TEST_BIN: %w", err)
		}
		return p, nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "modls-testbin-")
	if err != nil {
		return "", err
	}
	built = dir
	p := filepath.Join(dir, "modls")
	cmd := exec.Command("go", "build", "-o", p, "./cmd/modls")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/modls: %v\n%s", err, out)
	}
	return p, nil
}

// built is the directory of a binary built here, for Cleanup.
var built string

// Cleanup removes a binary Modls built; a TestMain calls it after m.Run.
func Cleanup() {
	if built != "" {
		os.RemoveAll(built)
	}
}

// Root finds the repository's root above the working directory: the
// directory whose go.mod declares the modls module.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module github.com/modls/modls\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of github.com/modls/modls above the working directory")
		}
		dir = parent
	}
}
