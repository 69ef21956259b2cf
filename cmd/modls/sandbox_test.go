package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/sandbox"
)

// sandboxFixtures makes a Go module with this repository's go.mod, go.sum
// and framework, and the sandbox's fault modules under app/modules/fault.
func sandboxFixtures(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	root, _ := filepath.Abs("../..")
	cp := func(from, to string, keep func(string) bool) {
		err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !keep(path) {
				return err
			}
			rel, _ := filepath.Rel(from, path)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755)
			return os.WriteFile(filepath.Join(to, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	all := func(string) bool { return true }
	cp(filepath.Join(root, "go.mod"), filepath.Join(dst, "go.mod"), all)
	cp(filepath.Join(root, "go.sum"), filepath.Join(dst, "go.sum"), all)
	cp(filepath.Join(root, "framework"), filepath.Join(dst, "framework"), func(p string) bool { return !strings.HasSuffix(p, "_test.go") })
	cp(filepath.Join(root, "sandbox", "testdata", "faults"), filepath.Join(dst, "app", "modules", "fault"), all)
	return dst
}

func sandboxDirs(t *testing.T, base string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(base, sandbox.Prefix+"*"))
	return m
}

func TestSandboxCommand_Run(t *testing.T) {
	app, _ := filepath.Abs("../../examples/app")
	fixtures := sandboxFixtures(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  []string // parts of stdout
		err  string   // part of stderr
	}{
		{"passes", []string{"--module", "standard.analytics", "--dir", app}, 0,
			[]string{"✓ module builds", "✓ module loads", "✓ GET /api/v1/analytics/status", "✓ integrity session round-trip", "ok standard.analytics: 11 passed, 0 failed, 1 skipped"}, ""},
		{"test-api", []string{"--module", "standard.audit", "--dir", app, "--test-api"}, 0,
			[]string{"✓ GET /api/v1/audit/runs", "✓ errors map to HTTP statuses"}, ""},
		{"fails", []string{"--module", "fault.status500", "--dir", filepath.Join(fixtures, "app"), "--integration"}, 1,
			[]string{"✗ GET /api/v1/status500/report", "modules/fault/status500/module.go:", "answered 500", "FAIL fault.status500"}, ""},
		{"missing dependency", []string{"--module", "fault.missingdep", "--dir", filepath.Join(fixtures, "app")}, 2, nil,
			"fault.missingdep depends on fault.nope, which is not in the application"},
		{"unknown module", []string{"--module", "standard.nope", "--dir", app}, 2, nil, "no module standard.nope"},
		{"no module", nil, 2, nil, "--module is required"},
		{"two modes", []string{"--module", "standard.audit", "--run-tests", "--test-api"}, 2, nil, "exclude each other"},
		{"bad timeout", []string{"--module", "standard.audit", "--timeout", "-1s"}, 2, nil, "--timeout must be positive"},
		{"argument", []string{"standard.audit"}, 2, nil, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"sandbox"}, tc.args...), env{Stdout: &stdout, Stderr: &stderr})
			if code != tc.code {
				t.Errorf("exit code %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.out {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout does not hold %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.err) || (tc.err != "" && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0) {
				t.Errorf("stderr = %q; want one line with %q", stderr.String(), tc.err)
			}
		})
	}
}

func TestSandboxCommand_JSONAndKeep(t *testing.T) {
	app, _ := filepath.Abs("../../examples/app")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"sandbox", "--module", "standard.audit", "--dir", app, "--json", "--keep"}, env{Stdout: &stdout, Stderr: &stderr})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var res sandbox.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout.String())
	}
	if !res.Passed || res.Dir == "" || len(res.Checks) < 8 {
		t.Fatalf("result = %+v", res)
	}
	defer os.RemoveAll(res.Dir)
	if _, err := os.Stat(filepath.Join(res.Dir, "src", "go.mod")); err != nil {
		t.Errorf("--keep: %v", err)
	}
}

// TestSandboxCommand_Signals runs the built command: SIGINT during a hanging
// Start leaves nothing behind; after a SIGKILL, the next run sweeps what the
// killed one left.
func TestSandboxCommand_Signals(t *testing.T) {
	fixtures := sandboxFixtures(t)
	bin := filepath.Join(t.TempDir(), "modls")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "sandbox", "--module", "fault.hang", "--timeout", "2m", "--dir", filepath.Join(fixtures, "app"))
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	// waitForHarness waits until the harness of the run is running.
	waitForHarness := func() {
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			for _, d := range sandboxDirs(t, tmp) {
				if _, err := os.Stat(filepath.Join(d, "data", "app.db")); err == nil {
					time.Sleep(200 * time.Millisecond)
					return
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("the harness did not start")
	}

	cmd, out := start()
	waitForHarness()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit after SIGINT = %d (%v); want 1\n%s", code, err, out)
	}
	if !strings.Contains(out.String(), "interrupted") {
		t.Errorf("output after SIGINT: %s", out)
	}
	if left := sandboxDirs(t, tmp); len(left) > 0 {
		t.Errorf("SIGINT left %v", left)
	}

	cmd, _ = start()
	waitForHarness()
	cmd.Process.Kill()
	cmd.Wait()
	if left := sandboxDirs(t, tmp); len(left) != 1 {
		t.Fatalf("a killed run left %v; want its one directory", left)
	}
	c := exec.Command(bin, "sandbox", "--module", "fault.escape", "--dir", filepath.Join(fixtures, "app"))
	c.Env = append(os.Environ(), "TMPDIR="+tmp)
	c.Run()
	if left := sandboxDirs(t, tmp); len(left) > 0 {
		t.Errorf("the next run did not sweep %v", left)
	}
}
