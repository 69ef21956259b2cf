package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

// copyFiles copies the files under from (or the file from) that keep
// accepts to to.
func copyFiles(t *testing.T, from, to string, keep func(string) bool) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(path) {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sandboxFixtures makes a Go module with this repository's go.mod, go.sum
// and framework, and the sandbox's fault modules under app/modules/fault.
func sandboxFixtures(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	root, _ := filepath.Abs("../..")
	all := func(string) bool { return true }
	copyFiles(t, filepath.Join(root, "go.mod"), filepath.Join(dst, "go.mod"), all)
	copyFiles(t, filepath.Join(root, "go.sum"), filepath.Join(dst, "go.sum"), all)
	copyFiles(t, filepath.Join(root, "framework"), filepath.Join(dst, "framework"), func(p string) bool { return !strings.HasSuffix(p, "_test.go") })
	copyFiles(t, filepath.Join(root, "sandbox", "testdata", "faults"), filepath.Join(dst, "app", "modules", "fault"), all)
	return dst
}

func sandboxDirs(t *testing.T, base string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(base, sandbox.Prefix+"*"))
	return m
}

// hangLimit is the --timeout of runs where module code hangs: long enough
// that a loaded machine runs everything else well within it.
const hangLimit = 15 * time.Second

// lineOf is the line of file that holds marker.
func lineOf(t *testing.T, file, marker string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, marker)
	return 0
}

func TestSandboxCommand_Run(t *testing.T) {
	t.Setenv("MODLS_CACHE", filepath.Join(t.TempDir(), "cache.db"))
	app, _ := filepath.Abs("../../examples/app")
	fixtures := sandboxFixtures(t)
	itests := filepath.Join(fixtures, "app", "modules", "fault", "itests")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		out    []string // parts of stdout
		err    string   // part of stderr
		absent []string // not in stdout
	}{
		{"passes", []string{"--module", "standard.analytics", "--dir", app}, 0,
			[]string{"✓ module builds", "✓ module loads", "✓ GET /api/v1/analytics/status", "✓ integrity session round-trip",
				"✓ test TestSummaryOverHTTPCountsAuditRuns", "✓ integration tests leave no processes", "ok standard.analytics: 13 passed, 0 failed, 0 skipped"}, "", nil},
		{"integration checks alone", []string{"--module", "standard.analytics", "--dir", app, "--integration"}, 0,
			[]string{"✓ module loads", "✓ module stops", "ok standard.analytics: 11 passed, 0 failed, 0 skipped"}, "", []string{"test ", "integration tests"}},
		{"integration tests", []string{"--module", "fault.itests", "--dir", itests, "--run-tests", "--timeout", hangLimit.String()}, 1,
			[]string{
				"✓ test TestPasses", "- test TestSkips", "\n    needs a mail server\n",
				"✗ test TestFails", fmt.Sprintf("\n    itests_integration_test.go:%d: sum = 4; want 5; a second failure\n", lineOf(t, filepath.Join(itests, "itests_integration_test.go"), "marker: the failing line")),
				"✗ test TestPanics", fmt.Sprintf("\n    module.go:%d: panic: assignment to entry in nil map\n", lineOf(t, filepath.Join(itests, "module.go"), "m[key]++")),
				"- test TestAfterPanic", "not run: the test binary died of a panic in TestPanics",
				"✗ test TestHangs (hang)", fmt.Sprintf("\n    hang/hang_integration_test.go:%d: did not finish within %v", lineOf(t, filepath.Join(itests, "hang", "hang_integration_test.go"), "marker: waits"), hangLimit),
				"FAIL fault.itests: 2 passed, 3 failed, 2 skipped"}, "", []string{"TestUnit", sandbox.Prefix}},
		{"test-api", []string{"--module", "standard.audit", "--dir", app, "--test-api"}, 0,
			[]string{"✓ GET /api/v1/audit/runs", "✓ errors map to HTTP statuses"}, "", []string{"test "}},
		{"fails", []string{"--module", "fault.status500", "--dir", filepath.Join(fixtures, "app"), "--integration"}, 1,
			[]string{"✗ GET /api/v1/status500/report", "modules/fault/status500/module.go:", "answered 500", "FAIL fault.status500"}, "", nil},
		{"missing dependency", []string{"--module", "fault.missingdep", "--dir", filepath.Join(fixtures, "app")}, 2, nil,
			"fault.missingdep depends on fault.nope, which is not in the application", nil},
		{"unknown module", []string{"--module", "standard.nope", "--dir", app}, 2, nil, "no module standard.nope", nil},
		{"no module", nil, 2, nil, "--module is required", nil},
		{"two modes", []string{"--module", "standard.audit", "--run-tests", "--test-api"}, 2, nil, "exclude each other", nil},
		{"bad timeout", []string{"--module", "standard.audit", "--timeout", "-1s"}, 2, nil, "--timeout must be positive", nil},
		{"argument", []string{"standard.audit"}, 2, nil, "unexpected argument", nil},
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
			for _, w := range tc.absent {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("stdout holds %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.err) || (tc.err != "" && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0) {
				t.Errorf("stderr = %q; want one line with %q", stderr.String(), tc.err)
			}
		})
	}
}

func TestSandboxCommand_JSONAndKeep(t *testing.T) {
	t.Setenv("MODLS_CACHE", filepath.Join(t.TempDir(), "cache.db"))
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
	cache := filepath.Join(t.TempDir(), "cache.db")
	type proc struct {
		cmd  *exec.Cmd
		out  *bytes.Buffer
		done chan error // Wait's result
	}
	start := func() *proc {
		cmd := exec.Command(bin, "sandbox", "--module", "fault.hang", "--timeout", "10m", "--dir", filepath.Join(fixtures, "app"))
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "MODLS_CACHE="+cache)
		p := &proc{cmd: cmd, out: &bytes.Buffer{}, done: make(chan error, 1)}
		cmd.Stdout, cmd.Stderr = p.out, p.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.done <- cmd.Wait() }()
		return p
	}
	const ceiling = 3 * time.Minute
	// waitForHang waits until the module's Start hangs: the fixture writes
	// a file in its temporary directory (inside the sandbox) first.
	waitForHang := func(p *proc) {
		deadline := time.After(ceiling)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if m, _ := filepath.Glob(filepath.Join(tmp, sandbox.Prefix+"*", "tmp", "fault.hang.started")); len(m) > 0 {
				return
			}
			select {
			case err := <-p.done:
				t.Fatalf("modls ended (%v) before the module hung:\n%s", err, p.out)
			case <-deadline:
				t.Fatalf("the module did not hang within %v", ceiling)
			case <-tick.C:
			}
		}
	}
	wait := func(p *proc) error {
		select {
		case err := <-p.done:
			return err
		case <-time.After(ceiling): // far below the 10m time limit
			p.cmd.Process.Kill()
			t.Fatalf("modls did not end within %v of the signal", ceiling)
			return nil
		}
	}

	p := start()
	waitForHang(p)
	p.cmd.Process.Signal(syscall.SIGINT)
	err := wait(p)
	if code := p.cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit after SIGINT = %d (%v); want 1\n%s", code, err, p.out)
	}
	if !strings.Contains(p.out.String(), "interrupted") {
		t.Errorf("output after SIGINT: %s", p.out)
	}
	if left := sandboxDirs(t, tmp); len(left) > 0 {
		t.Errorf("SIGINT left %v", left)
	}

	p = start()
	waitForHang(p)
	p.cmd.Process.Kill()
	wait(p)
	if left := sandboxDirs(t, tmp); len(left) != 1 {
		t.Fatalf("a killed run left %v; want its one directory", left)
	}
	c := exec.Command(bin, "sandbox", "--module", "fault.escape", "--dir", filepath.Join(fixtures, "app"))
	c.Env = append(os.Environ(), "TMPDIR="+tmp, "MODLS_CACHE="+cache)
	c.Run()
	if left := sandboxDirs(t, tmp); len(left) > 0 {
		t.Errorf("the next run did not sweep %v", left)
	}
}
