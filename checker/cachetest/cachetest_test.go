package cachetest_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/internal/testbin"
)

func TestMain(m *testing.M) { cachetest.Main(m) }

// child is set in the environment of this test binary run again by a
// test below, to play a test that forgets Use or one that does not.
const child = "CACHETEST_CHILD"

// TestChild opens the default cache as a check or a server does. It is
// the test that TestMainFailsAForgottenCache runs in a child process; run
// directly, it does nothing.
func TestChild(t *testing.T) {
	switch os.Getenv(child) {
	case "":
		return
	case "use":
		if want := cachetest.Use(t); os.Getenv("MODLS_CACHE") != want {
			t.Fatalf("MODLS_CACHE = %q, want %q", os.Getenv("MODLS_CACHE"), want)
		}
	}
	path, err := checker.DefaultCachePath()
	if err != nil {
		t.Fatal(err)
	}
	c, err := checker.OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// Where the cache went, for the parent to check.
	if err := os.WriteFile(os.Getenv(child+"_REPORT"), []byte(path), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runChild runs TestChild in a new process whose user cache directory is
// userCache, as the user's shell would give it.
func runChild(t *testing.T, mode, userCache string) (code int, stderr, cachePath string) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report")
	cmd := exec.CommandContext(context.Background(), os.Args[0], "-test.run=^TestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), child+"="+mode, child+"_REPORT="+report, "XDG_CACHE_HOME="+userCache, "MODLS_CACHE=")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	cmd.Stdout = &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the child did not open a cache: %v\n%s", err, errOut.String())
	}
	return code, errOut.String(), string(data)
}

// TestMainFailsAForgottenCache proves that a test which opens the default
// cache never reaches the user's and fails the run.
func TestMainFailsAForgottenCache(t *testing.T) {
	user := t.TempDir()
	code, stderr, path := runChild(t, "forget", user)
	if code == 0 || !strings.Contains(stderr, "a test used the default modls cache") || !strings.Contains(stderr, "cachetest.Use(t)") {
		t.Errorf("a test that forgot Use: exit %d, output:\n%s", code, stderr)
	}
	if strings.HasPrefix(path, user) {
		t.Errorf("the forgetful test opened %s, in the user's cache directory", path)
	}
	if entries, err := os.ReadDir(user); err != nil || len(entries) != 0 {
		t.Errorf("the user's cache directory holds %v (%v); want it untouched", entries, err)
	}
}

// TestUse checks that a test with Use passes and writes its cache where
// Use put it, not in the user's cache directory.
func TestUse(t *testing.T) {
	user := t.TempDir()
	code, stderr, path := runChild(t, "use", user)
	if code != 0 {
		t.Errorf("a test with Use: exit %d, output:\n%s", code, stderr)
	}
	if strings.HasPrefix(path, user) || strings.HasPrefix(path, os.Getenv("XDG_CACHE_HOME")) {
		t.Errorf("the cache was opened at %s, a default place", path)
	}
	if entries, err := os.ReadDir(user); err != nil || len(entries) != 0 {
		t.Errorf("the user's cache directory holds %v (%v); want it untouched", entries, err)
	}
}

func TestUntouched(t *testing.T) {
	dir := t.TempDir()
	if err := cachetest.Untouched(dir); err != nil {
		t.Errorf("an empty cache directory: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "modls"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := cachetest.Untouched(dir); err == nil {
		t.Error("an empty modls directory in the user cache went unnoticed")
	}
	if err := os.WriteFile(filepath.Join(dir, "modls", "cache.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cachetest.Untouched(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "modls", "cache.db")) {
		t.Errorf("a cache file in the user cache: %v", err)
	}
}

// TestSeeded checks a copy of the violations application with a seeded
// cache: every dependency's types come from the seed (none is type-checked
// from source), the findings are those of a check without a cache, and
// each test gets a copy of its own.
func TestSeeded(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	if out, err := exec.Command("cp", "-R", filepath.Join(root, "examples", "violations")+"/.", ws).CombinedOutput(); err != nil {
		t.Fatalf("copying the violations application: %v\n%s", err, out)
	}
	gomod := filepath.Join(ws, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gomod, bytes.Replace(data, []byte("=> ../.."), []byte("=> "+root), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := testbin.Modls(t)
	check := func(cache string) (stdout, stderr string) {
		cmd := exec.Command(bin, "check", "--format", "json", "./...")
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "MODLS_CACHE="+cache, "MODLS_DEBUG=exports")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil && cmd.ProcessState.ExitCode() != 1 {
			t.Fatalf("modls check: %v\n%s", err, errOut.Bytes())
		}
		return out.String(), errOut.String()
	}
	seeded := cachetest.Seeded(t)
	if other := cachetest.Seeded(t); other == seeded {
		t.Fatal("two calls gave the same cache")
	}
	got, trace := check(seeded)
	for _, line := range strings.Split(trace, "\n") {
		if strings.HasPrefix(line, "export data: ") && !strings.Contains(line, "example.com/violations/") {
			t.Errorf("a dependency was type-checked from source: %s", line)
		}
	}
	if !strings.Contains(got, `"MOD002"`) {
		t.Errorf("no findings with a seeded cache:\n%s", got)
	}
	want, _ := check("off")
	if got != want {
		t.Errorf("findings with a seeded cache differ from a check without one:\n%s\nwant:\n%s", got, want)
	}
}
