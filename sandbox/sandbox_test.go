package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/scaffold"
	"github.com/modls/modls/workspace"
)

// repoRoot is the root of this repository.
var repoRoot, _ = filepath.Abs("..")

// fixtures is a Go module made for the tests: this repository's go.mod,
// go.sum and framework, and an application app/ holding the fault modules
// of testdata/faults under modules/fault/.
var fixtures string

func TestMain(m *testing.M) {
	// Sandboxes of this test binary are made in a directory of its own, so
	// that the tests can check that none is left behind.
	base, err := os.MkdirTemp("", "sandbox-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	base, _ = filepath.EvalSymlinks(base)
	os.Setenv("TMPDIR", filepath.Join(base, "tmp"))
	os.Mkdir(filepath.Join(base, "tmp"), 0o755)
	// Nothing here should touch the checker's cache; if something does,
	// it is this binary's own, never the user's.
	os.Setenv("MODLS_CACHE", filepath.Join(base, "modls-cache.db"))
	fixtures = filepath.Join(base, "fixtures")
	if err := makeFixtures(fixtures); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(base)
	os.Exit(code)
}

func makeFixtures(dst string) error {
	copyTree := func(from, to string, keep func(string) bool) error {
		return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !keep(path) {
				return err
			}
			rel, _ := filepath.Rel(from, path)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out := filepath.Join(to, rel)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			return os.WriteFile(out, data, 0o644)
		})
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := copyTree(filepath.Join(repoRoot, f), filepath.Join(dst, f), func(string) bool { return true }); err != nil {
			return err
		}
	}
	if err := copyTree(filepath.Join(repoRoot, "framework"), filepath.Join(dst, "framework"), func(p string) bool {
		return !strings.HasSuffix(p, "_test.go")
	}); err != nil {
		return err
	}
	return copyTree("testdata/faults", filepath.Join(dst, "app", "modules", "fault"), func(string) bool { return true })
}

// leftovers lists sandbox directories and sandbox processes still present.
func leftovers(t *testing.T) []string {
	t.Helper()
	var out []string
	base := os.TempDir()
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), Prefix) {
			out = append(out, "directory "+filepath.Join(base, e.Name()))
		}
	}
	procs, _ := os.ReadDir("/proc")
	marker := []byte(markerEnv + "=" + filepath.Join(base, Prefix))
	for _, p := range procs {
		if _, err := strconv.Atoi(p.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + p.Name() + "/environ")
		if err == nil && bytes.Contains(env, marker) {
			stat, _ := os.ReadFile("/proc/" + p.Name() + "/stat")
			if !bytes.Contains(stat, []byte(") Z ")) {
				out = append(out, "process "+p.Name())
			}
		}
	}
	return out
}

func run(t *testing.T, opts Options) *Result {
	t.Helper()
	var log bytes.Buffer
	if opts.Stderr == nil {
		opts.Stderr = &log
	}
	var live []string
	res, err := Run(context.Background(), opts, func(c Check) { live = append(live, c.Name) })
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(live) != len(res.Checks) {
		t.Errorf("progress saw %d checks, the result has %d", len(live), len(res.Checks))
	}
	if left := leftovers(t); len(left) > 0 {
		t.Errorf("left behind: %s", strings.Join(left, ", "))
	}
	if t.Failed() {
		t.Logf("output:\n%s", log.String())
	}
	return res
}

func find(res *Result, name string) *Check {
	for i := range res.Checks {
		if res.Checks[i].Name == name {
			return &res.Checks[i]
		}
	}
	return nil
}

func describe(res *Result) string {
	var b strings.Builder
	for _, c := range res.Checks {
		fmt.Fprintf(&b, "\n  %s %s: %s (%s:%d)", c.Status, c.Name, c.Message, c.File, c.Line)
	}
	return b.String()
}

// hangLimit is the time limit of runs where module code hangs: long enough
// that a loaded machine boots the module well within it, so that it fires
// only on the hang.
const hangLimit = 15 * time.Second

// ceiling bounds every wait for an event.
const ceiling = 3 * time.Minute

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

func TestFaults(t *testing.T) {
	app := filepath.Join(fixtures, "app")
	fault := func(name string) string { return filepath.Join(app, "modules", "fault", name) }
	for _, tc := range []struct {
		module  string
		timeout time.Duration
		check   string   // the check that must fail
		want    []string // parts of its message
		file    string   // its file, "" for none
		after   func(t *testing.T, c *Check)
	}{
		{
			module: "fault.setuppanic", check: "module loads",
			want: []string{"fault.setuppanic", "Setup", "panic", "nil map"},
			file: filepath.Join(fault("setuppanic"), "module.go"),
		},
		{
			module: "fault.hang", timeout: hangLimit, check: "module loads",
			want: []string{"did not finish within " + hangLimit.String(), "fault.hang Start was still running", "blocked at module.go:"},
			file: filepath.Join(fault("hang"), "module.go"),
		},
		{
			module: "fault.exitcall", check: "GET /api/v1/exitcall/boom",
			want: []string{"exited with status 3", "os.Exit"},
			file: filepath.Join(fault("exitcall"), "module.go"),
		},
		{
			module: "fault.escape", check: "writes stay inside the sandbox",
			want: []string{"fault.escape", "/tmp/modls-sandbox-escape-probe", "permission denied", "only inside the sandbox"},
			after: func(t *testing.T, _ *Check) {
				if _, err := os.Stat("/tmp/modls-sandbox-escape-probe"); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the probe file exists outside the sandbox (%v)", err)
				}
			},
		},
		{
			module: "fault.child", check: "integration tests leave no processes",
			want: []string{"sleep 300", "still running after the tests finished", "cmd.Wait"},
			file: filepath.Join(fault("child"), "child_integration_test.go"),
			after: func(t *testing.T, c *Check) {
				m := regexp.MustCompile(`pid (\d+)`).FindStringSubmatch(c.Message)
				if m == nil {
					t.Fatalf("no pid in %q", c.Message)
				}
				pid, _ := strconv.Atoi(m[1])
				deadline := time.Now().Add(ceiling)
				for syscall.Kill(pid, 0) == nil {
					stat, _ := os.ReadFile("/proc/" + m[1] + "/stat")
					if bytes.Contains(stat, []byte(") Z ")) || time.Now().After(deadline) {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				stat, _ := os.ReadFile("/proc/" + m[1] + "/stat")
				if syscall.Kill(pid, 0) == nil && !bytes.Contains(stat, []byte(") Z ")) {
					t.Errorf("the test's child %d is still running", pid)
				}
			},
		},
		{
			module: "fault.status500", check: "GET /api/v1/status500/report",
			want: []string{"answered 500", "no data source configured", "want 200"},
			file: filepath.Join(fault("status500"), "module.go"),
		},
		{
			module: "fault.fkbreak", check: "integrity session round-trip",
			want: []string{`"sync items" was rolled back`, "foreign key violation", "fkbreak_items", "fkbreak_lists"},
			file: filepath.Join(fault("fkbreak"), "module.go"),
		},
	} {
		t.Run(tc.module, func(t *testing.T) {
			os.Remove("/tmp/modls-sandbox-escape-probe")
			start := time.Now()
			res := run(t, Options{Dir: app, Module: tc.module, Timeout: tc.timeout})
			if res.Passed {
				t.Fatalf("passed; want %q to fail:%s", tc.check, describe(res))
			}
			c := find(res, tc.check)
			if c == nil || c.Status != StatusFail {
				t.Fatalf("check %q did not fail:%s", tc.check, describe(res))
			}
			for _, w := range tc.want {
				if !strings.Contains(c.Message, w) {
					t.Errorf("message %q does not say %q", c.Message, w)
				}
			}
			if c.File != tc.file {
				t.Errorf("file = %q; want %q", c.File, tc.file)
			}
			if tc.file != "" && c.Line == 0 {
				t.Errorf("no line in %+v", c)
			}
			if tc.after != nil {
				tc.after(t, c)
			}
			t.Logf("%s in %v: %s:%d: %s", tc.check, time.Since(start).Round(time.Millisecond), filepath.Base(c.File), c.Line, c.Message)
		})
	}
}

func TestMissingAndCyclicDependencies(t *testing.T) {
	_, err := Run(context.Background(), Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.missingdep"}, nil)
	want := "fault.missingdep depends on fault.nope, which is not in the application"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "fault.missingdep → fault.nope") {
		t.Errorf("err = %v; want %q with its chain", err, want)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/cyc\n\ngo 1.26\n"), 0o644)
	for name, dep := range map[string]string{"a": "cyc.b", "b": "cyc.c", "c": "cyc.a"} {
		d := filepath.Join(dir, "modules", "cyc", name)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "manifest.json"), []byte(`{"name": "cyc.`+name+`", "version": "1.0.0", "dependencies": ["`+dep+`"]}`), 0o644)
	}
	_, err = Run(context.Background(), Options{Dir: dir, Module: "cyc.a"}, nil)
	if err == nil || !strings.Contains(err.Error(), "dependency cycle: cyc.a → cyc.b → cyc.c → cyc.a") {
		t.Errorf("err = %v; want the cycle's chain", err)
	}
	for _, tc := range []struct{ module, want string }{
		{"cyc.zzz", "no module cyc.zzz"},
		{"", "no module given"},
	} {
		if _, err := Run(context.Background(), Options{Dir: dir, Module: tc.module}, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%q) = %v; want %q", tc.module, err, tc.want)
		}
	}
	if _, err := Run(context.Background(), Options{Dir: "/", Module: "x.y"}, nil); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("Run in / = %v; want no go.mod", err)
	}
	if left := leftovers(t); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestModuleSetLeavesOthersOut(t *testing.T) {
	ws, err := workspace.Load(repoRoot, nil)
	if err != nil {
		t.Fatal(err)
	}
	var app *workspace.App
	for _, a := range ws.Apps {
		if a.ByName("standard.analytics") != nil {
			app = a
		}
	}
	set, err := ModuleSet(app.ByName("standard.analytics"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range set {
		names = append(names, m.Name())
	}
	if !slices.Equal(names, []string{"standard.audit", "standard.analytics"}) {
		t.Errorf("set = %v; want audit then analytics, without notifications", names)
	}
}

// checksum hashes every file under the directories.
func checksum(t *testing.T, dirs ...string) string {
	t.Helper()
	h := sha256.New()
	for _, dir := range dirs {
		var names []string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, path)
			}
			return nil
		})
		sort.Strings(names)
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := os.Stat(n)
			fmt.Fprintf(h, "%s %d %v %x\n", n, len(data), st.ModTime(), sha256.Sum256(data))
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestExampleModulesPass(t *testing.T) {
	app := filepath.Join(repoRoot, "examples", "app")
	before := checksum(t, app, filepath.Join(repoRoot, "framework"))
	for _, module := range []string{"standard.audit", "standard.analytics", "standard.notifications"} {
		t.Run(module, func(t *testing.T) {
			res := run(t, Options{Dir: app, Module: module})
			if !res.Passed {
				t.Fatalf("failed:%s", describe(res))
			}
			for _, name := range []string{"module builds", "module loads", "services register", "dependencies resolve",
				"settings load with defaults", "integrity session round-trip", "errors map to HTTP statuses", "module stops"} {
				if c := find(res, name); c == nil || c.Status != StatusPass {
					t.Errorf("check %q did not pass:%s", name, describe(res))
				}
			}
			short := strings.TrimPrefix(module, "standard.")
			if c := find(res, "GET /api/v1/"+short+"/status"); c == nil || c.Status != StatusPass {
				t.Errorf("GET /status did not pass:%s", describe(res))
			}
			// Every module has integration tests (//go:build integration):
			// each is a check of its own, and they leave no process.
			tests := 0
			for _, c := range res.Checks {
				if strings.HasPrefix(c.Name, "test ") {
					tests++
				}
			}
			if tests == 0 || find(res, CheckTests) != nil {
				t.Errorf("no integration test ran:%s", describe(res))
			}
			if c := find(res, CheckTestProcesses); c == nil || c.Status != StatusPass || c.Message != fmt.Sprintf("%d tests", tests) {
				t.Errorf("check %q did not pass for %d tests:%s", CheckTestProcesses, tests, describe(res))
			}
		})
	}
	if after := checksum(t, app, filepath.Join(repoRoot, "framework")); after != before {
		t.Errorf("the real workspace changed during the runs")
	}
}

func TestWorkspaceUnchanged(t *testing.T) {
	before := checksum(t, fixtures)
	for _, module := range []string{"fault.escape", "fault.fkbreak"} {
		run(t, Options{Dir: filepath.Join(fixtures, "app"), Module: module})
	}
	if after := checksum(t, fixtures); after != before {
		t.Errorf("the workspace changed during the runs")
	}
}

func TestScaffoldedModulePasses(t *testing.T) {
	ws := t.TempDir()
	if err := makeFixtures(ws); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(ws, "app", "modules", "fault"))
	if _, err := scaffold.Create(filepath.Join(ws, "app"), scaffold.Options{Name: "reports", Type: "standard", Features: scaffold.Features}); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Dir: filepath.Join(ws, "app"), Module: "standard.reports"})
	if !res.Passed {
		t.Fatalf("the scaffolded module failed:%s", describe(res))
	}
	if c := find(res, "integrity session round-trip"); c == nil || !strings.Contains(c.Message, "reports_items") {
		t.Errorf("round-trip did not write reports_items:%s", describe(res))
	}
}

func TestOverlayReplacesFiles(t *testing.T) {
	app := filepath.Join(fixtures, "app")
	name := filepath.Join(app, "modules", "fault", "status500", "module.go")
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fixed := bytes.Replace(src, []byte(`return StatusResponse{}, framework.Errorf(framework.CodeInternal, "report: %w", errNoData)`),
		[]byte(`return StatusResponse{OK: errNoData != nil}, nil`), 1)
	res := run(t, Options{Dir: app, Module: "fault.status500", Mode: ModeTestAPI, Overlay: map[string][]byte{name: fixed}})
	if !res.Passed {
		t.Fatalf("the unsaved fix was not used:%s", describe(res))
	}
	if find(res, "services register") != nil {
		t.Errorf("test-api ran more than the API checks:%s", describe(res))
	}
}

func TestKeepAndSweep(t *testing.T) {
	res, err := Run(context.Background(), Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.child", Mode: ModeIntegration, Keep: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Dir == "" {
		t.Fatal("no Dir with Keep")
	}
	if _, err := os.Stat(filepath.Join(res.Dir, "src", "go.mod")); err != nil {
		t.Fatalf("kept sandbox: %v", err)
	}
	// A sandbox whose owner is gone (a killed run) is swept at the next start.
	dead := filepath.Join(os.TempDir(), Prefix+"dead")
	os.MkdirAll(filepath.Join(dead, "src"), 0o755)
	os.WriteFile(filepath.Join(dead, ownerFile), []byte("999999999 1\n"), 0o644)
	run(t, Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.child", Mode: ModeIntegration})
	for _, d := range []string{res.Dir, dead} {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was not swept", d)
		}
	}
}

// waitForFile waits for a file matching pattern to appear, or for the run
// reporting on done to end first.
func waitForFile(t *testing.T, pattern string, done <-chan error) string {
	t.Helper()
	deadline := time.After(ceiling)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return m[0]
		}
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before %s appeared", err, pattern)
		case <-deadline:
			t.Fatalf("%s did not appear within %v", pattern, ceiling)
		case <-tick.C:
		}
	}
}

// TestCancel cancels a run while the module's Start hangs: Run returns
// context.Canceled long before the time limit and leaves nothing behind.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const limit = 10 * time.Minute
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.hang", Timeout: limit}, nil)
		done <- err
	}()
	// The fixture writes this file from Start, then hangs.
	started := waitForFile(t, filepath.Join(os.TempDir(), Prefix+"*", "tmp", "fault.hang.started"), done)
	sb := filepath.Dir(filepath.Dir(started))
	if len(markedProcesses(sb)) == 0 {
		t.Fatalf("no process of %s is running although Start has started", sb)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v; want context.Canceled", err)
		}
	case <-time.After(ceiling): // far below the time limit
		t.Fatalf("Run did not return within %v of the cancellation", ceiling)
	}
	if left := leftovers(t); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestIntegrationTestChecks runs a module whose integration tests pass,
// skip, fail, panic and hang: one check per test, failures at the file and
// line of the real workspace, tests after a panic reported as not run.
func TestIntegrationTestChecks(t *testing.T) {
	dir := filepath.Join(fixtures, "app", "modules", "fault", "itests")
	testFile := filepath.Join(dir, "itests_integration_test.go")
	hangFile := filepath.Join(dir, "hang", "hang_integration_test.go")
	res := run(t, Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.itests", Mode: ModeRunTests, Timeout: hangLimit})
	if res.Passed {
		t.Fatalf("passed:%s", describe(res))
	}
	var names []string
	for _, c := range res.Checks {
		names = append(names, c.Name)
		if strings.Contains(c.File, Prefix) {
			t.Errorf("check %q points into the sandbox's copy: %s", c.Name, c.File)
		}
	}
	want := []string{"module builds", "test TestPasses", "test TestSkips", "test TestFails", "test TestPanics", "test TestAfterPanic", "test TestHangs (hang)"}
	if !slices.Equal(names, want) {
		t.Errorf("checks = %q; want %q (the unit test TestUnit left out)", names, want)
	}
	for _, tc := range []struct {
		name, status string
		message      []string
		file         string
		line         int
	}{
		{"test TestPasses", StatusPass, nil, "", 0},
		{"test TestSkips", StatusSkip, []string{"needs a mail server"}, "", 0},
		{"test TestFails", StatusFail, []string{"sum = 4; want 5; a second failure"}, testFile, lineOf(t, testFile, "marker: the failing line")},
		{"test TestPanics", StatusFail, []string{"panic: assignment to entry in nil map"}, filepath.Join(dir, "module.go"), lineOf(t, filepath.Join(dir, "module.go"), "m[key]++")},
		{"test TestAfterPanic", StatusSkip, []string{"not run", "panic in TestPanics"}, "", 0},
		{"test TestHangs (hang)", StatusFail, []string{"did not finish within " + hangLimit.String(), "blocked at hang_integration_test.go:"}, hangFile, lineOf(t, hangFile, "marker: waits")},
	} {
		c := find(res, tc.name)
		if c == nil {
			continue // reported above
		}
		if c.Status != tc.status {
			t.Errorf("%s: status %s; want %s (%s)", tc.name, c.Status, tc.status, c.Message)
		}
		for _, w := range tc.message {
			if !strings.Contains(c.Message, w) {
				t.Errorf("%s: message %q does not say %q", tc.name, c.Message, w)
			}
		}
		if c.File != tc.file || c.Line != tc.line {
			t.Errorf("%s: at %s:%d; want %s:%d", tc.name, c.File, c.Line, tc.file, tc.line)
		}
	}
}

// TestIntegrationModeRunsNoTests runs the integration checks alone: the
// harness's checks, and no integration test built or run.
func TestIntegrationModeRunsNoTests(t *testing.T) {
	res, err := Run(context.Background(), Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.itests", Mode: ModeIntegration, Keep: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(res.Dir)
	if !res.Passed {
		t.Errorf("failed:%s", describe(res))
	}
	for _, name := range []string{"module builds", "module loads", "dependencies resolve", "module stops"} {
		if c := find(res, name); c == nil || c.Status != StatusPass {
			t.Errorf("check %q did not pass:%s", name, describe(res))
		}
	}
	for _, c := range res.Checks {
		if strings.HasPrefix(c.Name, "test ") || strings.HasPrefix(c.Name, CheckTests) {
			t.Errorf("--integration ran %q", c.Name)
		}
	}
	bins, _ := os.ReadDir(filepath.Join(res.Dir, "bin"))
	if len(bins) != 1 || bins[0].Name() != "harness" {
		t.Errorf("bin/ holds %v; want the harness alone, no test binary", bins)
	}
}

// TestNoLandlockFallback forces the path of a kernel without Landlock:
// module code and an integration test write into the real workspace, which
// nothing refuses, and the comparison of the workspace reports both. With
// Landlock the same writes are refused.
func TestNoLandlockFallback(t *testing.T) {
	workspace := func(t *testing.T) (app, target string) {
		ws := t.TempDir()
		if err := makeFixtures(ws); err != nil {
			t.Fatal(err)
		}
		app = filepath.Join(ws, "app")
		target = filepath.Join(app, "scribbled.txt")
		if err := os.WriteFile(filepath.Join(app, "modules", "fault", "scribble", "target"), []byte(target+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return app, target
	}

	app, target := workspace(t)
	res := run(t, Options{Dir: app, Module: "fault.scribble", NoLandlock: true})
	if !strings.HasPrefix(res.Isolation, "workspace comparison") || !strings.Contains(res.Isolation, "disabled for testing") {
		t.Errorf("isolation = %q; want the workspace comparison", res.Isolation)
	}
	for _, f := range []string{target, target + ".test"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the write of %s was refused (%v); without Landlock it goes through", filepath.Base(f), err)
		}
	}
	for _, tc := range []struct{ check, file, who string }{
		{"writes stay inside the sandbox", target, "module code"},
		{"writes stay inside the sandbox (integration tests)", target + ".test", "an integration test"},
	} {
		c := find(res, tc.check)
		if c == nil || c.Status != StatusFail {
			t.Errorf("no failed check %q:%s", tc.check, describe(res))
			continue
		}
		if c.File != tc.file || !strings.Contains(c.Message, tc.who+" wrote "+tc.file+" in the real workspace") {
			t.Errorf("%s: %s: %s; want %s written by %s", tc.check, c.File, c.Message, tc.file, tc.who)
		}
	}
	if c := find(res, "module loads"); c == nil || c.Status != StatusPass {
		t.Errorf("without Landlock Start's write should succeed:%s", describe(res))
	}

	if !landlockAvailable() {
		t.Logf("this kernel has no Landlock: the refused writes are not checked")
		return
	}
	app, target = workspace(t)
	res = run(t, Options{Dir: app, Module: "fault.scribble"})
	if res.Isolation != "landlock" {
		t.Errorf("isolation = %q; want landlock", res.Isolation)
	}
	if c := find(res, "writes stay inside the sandbox"); c == nil || c.Status != StatusFail || !strings.Contains(c.Message, "permission denied") {
		t.Errorf("Start's write was not refused:%s", describe(res))
	}
	if c := find(res, "test TestScribbles"); c == nil || c.Status != StatusFail || !strings.Contains(c.Message, "permission denied") {
		t.Errorf("the test's write was not refused:%s", describe(res))
	}
	for _, f := range []string{target, target + ".test"} {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists (%v); Landlock should have refused it", f, err)
		}
	}
}
