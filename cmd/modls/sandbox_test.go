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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/sandbox"

	"github.com/modls/modls/internal/testbin"
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

// markedPids lists the live processes of the sandbox dir: its marker in
// their environment, or dir in their command line (the launcher's).
func markedPids(dir string) []int {
	var out []int
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + p.Name() + "/stat")
		if len(stat) == 0 || bytes.Contains(stat, []byte(") Z ")) {
			continue
		}
		env, _ := os.ReadFile("/proc/" + p.Name() + "/environ")
		cmd, _ := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		if bytes.Contains(env, []byte("MODLS_SANDBOX="+dir)) || bytes.Contains(cmd, []byte(dir)) {
			out = append(out, pid)
		}
	}
	return out
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
	root, _ := filepath.Abs("../..")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		out    []string // parts of stdout
		err    string   // part of stderr
		absent []string // not in stdout
		cwd    string   // the directory modls runs in; "" the test's
	}{
		{"passes", []string{"--module", "standard.analytics", "--dir", app}, 0,
			[]string{"✓ module builds", "✓ module loads", "✓ GET /api/v1/analytics/status", "✓ integrity session round-trip",
				"✓ test TestSummaryOverHTTPCountsAuditRuns", "✓ integration tests leave no processes", "ok standard.analytics: 13 passed, 0 failed, 0 skipped",
				"\nisolation: ", " layers in force, uid ", ", no network; limits: memory 1 GiB, 512 processes, disk 512 MiB, output 16 MiB"}, "", nil, ""},
		{"integration checks alone", []string{"--module", "standard.analytics", "--dir", app, "--integration"}, 0,
			[]string{"✓ module loads", "✓ module stops", "ok standard.analytics: 11 passed, 0 failed, 0 skipped"}, "", []string{"test ", "integration tests"}, ""},
		{"integration tests", []string{"--module", "fault.itests", "--dir", itests, "--run-tests", "--timeout", hangLimit.String()}, 1,
			[]string{
				"✓ test TestPasses", "- test TestSkips", "\n    needs a mail server\n",
				"✗ test TestFails", fmt.Sprintf("\n    %s:%d: sum = 4; want 5; a second failure\n", filepath.Join(itests, "itests_integration_test.go"), lineOf(t, filepath.Join(itests, "itests_integration_test.go"), "marker: the failing line")),
				"✗ test TestPanics", fmt.Sprintf("\n    %s:%d: panic: assignment to entry in nil map\n", filepath.Join(itests, "module.go"), lineOf(t, filepath.Join(itests, "module.go"), "m[key]++")),
				"- test TestAfterPanic", "not run: the test binary died of a panic in TestPanics",
				"✗ test TestHangs (hang)", fmt.Sprintf("\n    %s:%d: did not finish within %v", filepath.Join(itests, "hang", "hang_integration_test.go"), lineOf(t, filepath.Join(itests, "hang", "hang_integration_test.go"), "marker: waits"), hangLimit),
				"FAIL fault.itests: 2 passed, 3 failed, 2 skipped"}, "", []string{"TestUnit", sandbox.Prefix}, ""},
		{"test-api", []string{"--module", "standard.audit", "--dir", app, "--test-api"}, 0,
			[]string{"✓ GET /api/v1/audit/runs", "✓ errors map to HTTP statuses"}, "", []string{"test "}, ""},
		{"fails", []string{"--module", "fault.status500", "--dir", "app", "--integration"}, 1,
			[]string{"✗ GET /api/v1/status500/report", "\n    app/modules/fault/status500/module.go:", "answered 500", "FAIL fault.status500"}, "", nil, fixtures},
		{"missing dependency", []string{"--module", "fault.missingdep", "--dir", filepath.Join(fixtures, "app")}, 2, nil,
			"fault.missingdep depends on fault.nope, which is not in the application", nil, ""},
		{"unknown module", []string{"--module", "standard.nope", "--dir", "examples/app"}, 2, nil,
			"modls sandbox: no module standard.nope in the application examples/app; its modules are standard.analytics, standard.audit, standard.notifications\n", nil, root},
		{"unknown module, elsewhere", []string{"--module", "standard.nope", "--dir", app}, 2, nil,
			"modls sandbox: no module standard.nope in the application " + app + "; its modules are standard.analytics, standard.audit, standard.notifications\n", nil, ""},
		{"no module", nil, 2, nil, "--module is required", nil, ""},
		{"two modes", []string{"--module", "standard.audit", "--run-tests", "--test-api"}, 2, nil, "exclude each other", nil, ""},
		{"memory limit", []string{"--module", "fault.membomb", "--dir", filepath.Join(fixtures, "app"), "--integration", "--memory", "256MiB"}, 1,
			[]string{"✗ memory stays within the limit", "module code used more than the sandbox's 256 MiB of memory (--memory)", "isolation: ", "memory 256 MiB, 512 processes, disk 512 MiB, output 16 MiB"}, "", nil, ""},
		{"bad size", []string{"--module", "standard.audit", "--memory", "lots"}, 2, nil, `--memory: size "lots" does not start with a number`, nil, ""},
		{"bad procs", []string{"--module", "standard.audit", "--procs", "2"}, 2, nil, `--procs: "2" is not a number of processes of at least 8`, nil, ""},
		{"bad isolation", []string{"--module", "standard.audit", "--isolation", "paranoid"}, 2, nil, `--isolation is warn or strict, not "paranoid"`, nil, ""},
		{"bad timeout", []string{"--module", "standard.audit", "--timeout", "-1s"}, 2, nil, "--timeout must be positive", nil, ""},
		{"argument", []string{"standard.audit"}, 2, nil, "unexpected argument", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"sandbox"}, tc.args...), env{Stdout: &stdout, Stderr: &stderr, Dir: tc.cwd})
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
			errOut := stderr.String()
			if tc.code != 2 {
				// A machine without a layer says so, once.
				if w := isolationWarning.FindString(errOut); w != "" {
					errOut = strings.Replace(errOut, w, "", 1)
				}
			}
			// A bad flag's line is followed by where the usage is.
			errOut = strings.TrimSuffix(errOut, "run 'modls sandbox -h' for usage\n")
			if !strings.Contains(errOut, tc.err) || (tc.err != "" && strings.Count(strings.TrimSpace(errOut), "\n") > 0) || tc.err == "" && errOut != "" {
				t.Errorf("stderr = %q; want one line with %q", stderr.String(), tc.err)
			}
		})
	}
}

// isolationWarning is the line modls sandbox writes when a layer of
// isolation is missing on this machine.
var isolationWarning = regexp.MustCompile(`modls sandbox: warning: isolation without [^\n]* on this machine \(see the isolation line; --isolation=strict refuses such runs\)\n`)

// TestSandboxCommand_Isolation: --isolation=strict runs module code only
// where every layer holds, and says which is missing otherwise; --json
// carries the report, --network in it.
func TestSandboxCommand_Isolation(t *testing.T) {
	t.Setenv("MODLS_CACHE", filepath.Join(t.TempDir(), "cache.db"))
	app, _ := filepath.Abs("../../examples/app")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"sandbox", "--module", "standard.audit", "--dir", app, "--integration", "--json", "--network"}, env{Stdout: &stdout, Stderr: &stderr})
	var res sandbox.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s %s", code, err, stdout.String(), stderr.String())
	}
	if res.Isolation == nil || !res.Isolation.Network || res.Isolation.Layer("network namespace").Status != "off" {
		t.Fatalf("isolation = %+v; want the network on", res.Isolation)
	}
	missing := res.Isolation.Missing()
	if (len(missing) > 0) != isolationWarning.MatchString(stderr.String()) {
		t.Errorf("missing %v, stderr %q: want a warning exactly when a layer is missing", missing, stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"sandbox", "--module", "standard.audit", "--dir", app, "--integration", "--isolation", "strict"}, env{Stdout: &stdout, Stderr: &stderr})
	if len(missing) == 0 {
		if code != 0 {
			t.Errorf("strict on a machine with every layer: exit %d\n%s", code, stdout.String())
		}
		return
	}
	want := []string{"✗ sandbox isolation", "strict isolation: unavailable: " + missing[0].Name + " (" + missing[0].Detail, "FAIL standard.audit: 1 passed, 1 failed"}
	for _, w := range want {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
		}
	}
	if code != 1 || strings.Contains(stdout.String(), "module loads") || stderr.Len() > 0 {
		t.Errorf("exit %d: module code ran, or a warning was printed, under strict:\n%s\n%s", code, stdout.String(), stderr.String())
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
	bin := testbin.Modls(t)
	tmp := t.TempDir()
	cache := filepath.Join(t.TempDir(), "cache.db")
	type proc struct {
		cmd  *exec.Cmd
		out  *lockedBuffer
		done chan error // Wait's result
	}
	start := func() *proc {
		cmd := exec.Command(bin, "sandbox", "--module", "fault.hang", "--timeout", "10m", "--dir", filepath.Join(fixtures, "app"), "-v")
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "MODLS_CACHE="+cache)
		p := &proc{cmd: cmd, out: &lockedBuffer{mu: &sync.Mutex{}, b: &bytes.Buffer{}}, done: make(chan error, 1)}
		cmd.Stdout, cmd.Stderr = p.out, p.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.done <- cmd.Wait() }()
		return p
	}
	const ceiling = 3 * time.Minute
	// waitForHang waits until the module's Start hangs: the fixture prints
	// a line first, which -v shows.
	waitForHang := func(p *proc) {
		deadline := time.After(ceiling)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if p.out.contains("fault.hang: started") {
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
	left := sandboxDirs(t, tmp)
	if len(left) != 1 {
		t.Fatalf("a killed run left %v; want its one directory", left)
	}
	// Its processes end with it: the supervisor hears modls go.
	deadline := time.Now().Add(time.Second)
	for len(markedPids(left[0])) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if pids := markedPids(left[0]); len(pids) > 0 {
		t.Errorf("processes %v of the killed run outlived it by a second", pids)
	}
	c := exec.Command(bin, "sandbox", "--module", "fault.escape", "--dir", filepath.Join(fixtures, "app"))
	c.Env = append(os.Environ(), "TMPDIR="+tmp, "MODLS_CACHE="+cache)
	c.Run()
	if left := sandboxDirs(t, tmp); len(left) > 0 {
		t.Errorf("the next run did not sweep %v", left)
	}
}

func (l *lockedBuffer) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.b.String(), s)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
