package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/internal/confine"
	"github.com/modls/modls/scaffold"
	"github.com/modls/modls/workspace"
)

// repoRoot is the root of this repository.
var repoRoot, _ = filepath.Abs("..")

// fixtures is a Go module made for the tests: this repository's go.mod,
// go.sum and framework, and an application app/ holding the fault modules
// of testdata/faults under modules/fault/.
var fixtures string

// unprivileged is a user that exists nowhere else, for the runs as an
// unprivileged user when the tests run as root; base is a directory every
// user may traverse.
var (
	unprivileged *confine.Credential
	base         string
)

func TestMain(m *testing.M) {
	// Sandboxes of this test binary are made in a directory of its own, so
	// that the tests can check that none is left behind.
	var err error
	base, err = os.MkdirTemp("", "sandbox-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	base, _ = filepath.EvalSymlinks(base)
	os.Chmod(base, 0o755)
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
	if os.Geteuid() == 0 {
		unprivileged = freeUser()
	}
	code := m.Run()
	os.RemoveAll(base)
	os.Exit(code)
}

// freeUser finds a uid and gid that no account and no process uses.
func freeUser() *confine.Credential {
	passwd, _ := os.ReadFile("/etc/passwd")
	group, _ := os.ReadFile("/etc/group")
	for id := 62000; id < 63000; id++ {
		s := ":" + strconv.Itoa(id) + ":"
		if bytes.Contains(passwd, []byte(s)) || bytes.Contains(group, []byte(s)) {
			continue
		}
		used := false
		procs, _ := os.ReadDir("/proc")
		for _, p := range procs {
			if st, err := os.Stat("/proc/" + p.Name()); err == nil {
				if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) == id {
					used = true
				}
			}
		}
		if !used {
			return &confine.Credential{UID: id, GID: id}
		}
	}
	panic("no free uid")
}

// variant is a way of running module code: as root (nobody, in fact), as
// an unprivileged user.
type variant struct {
	name  string
	runAs *confine.Credential
}

// variants are the users the fault suite runs as: the caller, and an
// unprivileged user when the caller is root.
func variants() []variant {
	if os.Geteuid() != 0 {
		return []variant{{name: "unprivileged"}}
	}
	return []variant{{name: "root"}, {name: "unprivileged", runAs: unprivileged}}
}

// copyTree copies the files under from that keep accepts to to.
func copyTree(from, to string, keep func(string) bool) error {
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

func makeFixtures(dst string) error {
	if err := copyFramework(dst); err != nil {
		return err
	}
	return copyTree("testdata/faults", filepath.Join(dst, "app", "modules", "fault"), func(string) bool { return true })
}

// copyFramework copies this repository's go.mod, go.sum and framework
// (without its tests) to dst.
func copyFramework(dst string) error {
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := copyTree(filepath.Join(repoRoot, f), filepath.Join(dst, f), func(string) bool { return true }); err != nil {
			return err
		}
	}
	return copyTree(filepath.Join(repoRoot, "framework"), filepath.Join(dst, "framework"), func(p string) bool {
		return !strings.HasSuffix(p, "_test.go")
	})
}

// leftovers lists sandbox directories under dir and sandbox processes
// still present.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), Prefix) {
			out = append(out, "directory "+filepath.Join(dir, e.Name()))
		}
	}
	for pid, cmd := range processesOf(dir, "") {
		out = append(out, fmt.Sprintf("process %d (%s)", pid, cmd))
	}
	return out
}

// processesOf lists the live processes of runs under dir (by the marker in
// their environment, or dir in their command line, as the launcher has),
// and those whose command line holds nonce.
func processesOf(dir, nonce string) map[int]string {
	out := map[int]string{}
	marker := []byte(markerEnv + "=" + filepath.Join(dir, Prefix))
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + p.Name() + "/stat")
		if len(stat) == 0 || bytes.Contains(stat, []byte(") Z ")) {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		env, _ := os.ReadFile("/proc/" + p.Name() + "/environ")
		if bytes.Contains(env, marker) || bytes.Contains(cmd, []byte(dir+"/")) || nonce != "" && bytes.Contains(cmd, []byte(nonce)) {
			out[pid] = strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return out
}

// watched is a run whose processes are recorded while it runs, so that
// each can be checked gone afterwards, by pid.
type watched struct {
	mu   sync.Mutex
	seen map[int]string
	stop chan struct{}
	done chan struct{}
}

func watch(dir, nonce string) *watched {
	w := &watched{seen: map[int]string{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			for pid, cmd := range processesOf(dir, nonce) {
				w.mu.Lock()
				w.seen[pid] = cmd
				w.mu.Unlock()
			}
			select {
			case <-w.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return w
}

// end stops watching and lists the processes seen that are still alive.
func (w *watched) end() (seen int, alive []string) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for pid, cmd := range w.seen {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err == nil && !bytes.Contains(stat, []byte(") Z ")) {
			now, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
			if strings.ReplaceAll(string(now), "\x00", " ") != "" && strings.Contains(cmd, strings.TrimSpace(strings.ReplaceAll(string(now), "\x00", " "))) {
				alive = append(alive, fmt.Sprintf("%d (%s)", pid, cmd))
			}
		}
	}
	return len(w.seen), alive
}

// run runs the sandbox in a directory of its own and checks that nothing
// of it is left: no directory (by path), no process (each seen during the
// run, by pid).
func run(t *testing.T, opts Options) *Result {
	t.Helper()
	res, _ := runWatched(t, opts, "")
	return res
}

func runWatched(t *testing.T, opts Options, nonce string) (*Result, int) {
	t.Helper()
	var log bytes.Buffer
	var logMu sync.Mutex
	if opts.Stderr == nil {
		opts.Stderr = &lockedWriter{mu: &logMu, w: &log}
	}
	if opts.base == "" {
		dir, err := os.MkdirTemp(base, "run-")
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755)
		opts.base = dir
		defer os.RemoveAll(dir)
	}
	var live []string
	var liveMu sync.Mutex
	w := watch(opts.base, nonce)
	res, err := Run(context.Background(), opts, func(c Check) {
		liveMu.Lock()
		live = append(live, c.Name)
		liveMu.Unlock()
	})
	seen, alive := w.end()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(live) != len(res.Checks) {
		t.Errorf("progress saw %d checks, the result has %d", len(live), len(res.Checks))
	}
	if len(alive) > 0 {
		t.Errorf("processes of the run still alive: %s", strings.Join(alive, ", "))
	}
	if left := leftovers(t, opts.base); len(left) > 0 {
		t.Errorf("left behind: %s", strings.Join(left, ", "))
	}
	if t.Failed() {
		logMu.Lock()
		t.Logf("output:\n%s", log.String())
		logMu.Unlock()
	}
	return res, seen
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

// fault is a module that breaks the sandbox's promise in one way, the
// check that must fail and what its message must say (regular
// expressions: the errno differs with the layer that refused).
type fault struct {
	module  string
	timeout time.Duration
	// prepare writes the fault's params.json in its workspace ws (a copy
	// of the fixtures), sets limits, and returns what to check after the
	// run, or nil.
	prepare func(t *testing.T, ws string, opts *Options) (after func(t *testing.T, res *Result, c *Check))
	check   string
	want    []string
	file    string // relative to the workspace's app/modules/fault
	nonce   bool   // the fault's processes carry a nonce to find them by
}

// writeParams writes a fault's params.json.
func writeParams(t *testing.T, ws, module string, params any) {
	t.Helper()
	data, _ := json.Marshal(params)
	if err := os.WriteFile(filepath.Join(ws, "app", "modules", "fault", module, "params.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// home is the home directory of the user running the tests.
func home() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "/root"
}

// outsideFile makes a file outside every sandbox that any user may read,
// with an owner and mode the faults must not change.
func outsideFile(t *testing.T, name string) (string, os.FileInfo) {
	t.Helper()
	dir, err := os.MkdirTemp(base, "outside-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := filepath.Join(dir, name)
	if err := os.WriteFile(f, []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(f)
	return f, st
}

// refused is what the kernel says to an access the sandbox refuses: the
// path is not in the view, the view is read-only, or Landlock says no.
const refused = `(no such file or directory|read-only file system|permission denied|operation not permitted)`

var faults = []fault{
	// The faults a careless module has.
	{module: "setuppanic", check: CheckLoads, file: "setuppanic/module.go",
		want: []string{`fault\.setuppanic`, `Setup`, `panic`, `nil map`}},
	{module: "hang", timeout: hangLimit, check: CheckLoads, file: "hang/module.go",
		want: []string{`did not finish within ` + hangLimit.String(), `fault\.hang Start was still running`, `blocked at module\.go:`}},
	{module: "exitcall", check: "GET /api/v1/exitcall/boom", file: "exitcall/module.go",
		want: []string{`exited with status 3`, `os\.Exit`}},
	{module: "escape", check: CheckInside,
		want: []string{`^fault\.escape: Start: open /tmp/modls-sandbox-escape-probe: ` + refused, `module code (may write|sees only)`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			return func(t *testing.T, _ *Result, _ *Check) {
				if _, err := os.Stat("/tmp/modls-sandbox-escape-probe"); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the probe file exists outside the sandbox (%v)", err)
				}
			}
		}},
	{module: "child", check: CheckTestProcesses, file: "child/child_integration_test.go",
		want: []string{`sleep 300 \(pid \d+\)`, `still running after the tests finished`, `cmd\.Wait`}},
	{module: "status500", check: "GET /api/v1/status500/report", file: "status500/module.go",
		want: []string{`answered 500`, `no data source configured`, `want 200`}},
	{module: "fkbreak", check: "integrity session round-trip", file: "fkbreak/module.go",
		want: []string{`"sync items" was rolled back`, `foreign key violation`, `fkbreak_items`, `fkbreak_lists`}},

	// The faults of a module that tries to escape, one per way out.
	{module: "initwrite", check: CheckInside,
		want: []string{`^fault\.initwrite: Start: init: open .*/app/scribbled-by-init\.txt: ` + refused, `open /proc/\d+/fd/1: permission denied`, `module code sees only the sandbox's copy`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			target := filepath.Join(ws, "app", "scribbled-by-init.txt")
			writeParams(t, ws, "initwrite", map[string]string{"Target": target})
			return func(t *testing.T, _ *Result, _ *Check) {
				if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("package initialisation wrote %s (%v)", target, err)
				}
			}
		}},
	{module: "binwrite", check: CheckInside,
		want: []string{`open .*/bin/harness\.new: ` + refused, `open .*/bin/t0\.test: ` + refused, `open /proc/\d+/exe: permission denied`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			return func(t *testing.T, res *Result, _ *Check) {
				if c := find(res, "test TestRuns"); c == nil || c.Status != StatusPass {
					t.Errorf("the genuine test binary did not run and pass:%s", describe(res))
				}
			}
		}},
	{module: "forge", check: CheckGenuine,
		want: []string{`^(a line on the harness's channel \(descriptor 3\) is|2 lines on the harness's channel \(descriptor 3\) are) not the harness's report`, `the first: \{"event":"check","check":"module loads","status":"pass","message":"forged by module code"\}`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			return func(t *testing.T, res *Result, _ *Check) {
				n := 0
				for _, c := range res.Checks {
					if c.Name == CheckLoads {
						n++
						if c.Status != StatusPass || strings.Contains(c.Message, "forged") {
							t.Errorf("module loads: %s %q; want the harness's own pass", c.Status, c.Message)
						}
					}
				}
				if n != 1 {
					t.Errorf("%d checks %q; want the harness's one", n, CheckLoads)
				}
				if c := find(res, CheckGenuine+" (integration tests)"); c == nil || c.Status != StatusFail ||
					!strings.Contains(c.Message, `"--- PASS: TestNeverRuns (0.00s)"`) || !strings.HasPrefix(c.Message, "2 lines of the test binary's output") {
					t.Errorf("the test's forged lines were not caught:%s", describe(res))
				}
				if c := find(res, "test TestForges"); c == nil || c.Status != StatusPass || find(res, "test TestNeverRuns") != nil {
					t.Errorf("want TestForges passed once, and no TestNeverRuns:%s", describe(res))
				}
			}
		}},
	{module: "secrets", check: CheckInside,
		want: []string{`^fault\.secrets: Start: secrets: open .*/outside-\d+/secret: ` + refused, `open /etc/shadow: ` + refused, `open /proc/\d+/environ: ` + refused,
			`open .*/go\.mod: ` + refused, `open ` + regexp.QuoteMeta(home()) + `: ` + refused, `module code sees only the sandbox's copy`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			secret, _ := outsideFile(t, "secret")
			writeParams(t, ws, "secrets", map[string]any{"Secret": secret, "Home": home(), "Workspace": filepath.Join(ws, "go.mod"), "PID": os.Getpid()})
			return nil
		}},
	{module: "network", check: CheckInside,
		want: []string{`^fault\.network: Start: reaching the host: dial tcp 127\.0\.0\.1:\d+: connect: (connection refused|permission denied|network is unreachable)`, `the sandbox has no network but its own loopback`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var accepted atomic.Int32
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					accepted.Add(1)
					c.Close()
				}
			}()
			writeParams(t, ws, "network", map[string]string{"Addr": l.Addr().String()})
			return func(t *testing.T, _ *Result, _ *Check) {
				l.Close()
				if n := accepted.Load(); n > 0 {
					t.Errorf("the host's listener accepted %d connections from module code", n)
				}
			}
		}},
	{module: "metadata", check: CheckInside,
		want: []string{`^fault\.metadata: Start: metadata: chmod .*/outside-\d+/file: ` + refused, `chown .*/file: ` + refused, `chtimes .*/file: ` + refused, `setxattr .*/file: ` + refused},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			f, before := outsideFile(t, "file")
			writeParams(t, ws, "metadata", map[string]string{"File": f})
			return func(t *testing.T, _ *Result, _ *Check) {
				after, err := os.Stat(f)
				if err != nil || after.Mode() != before.Mode() || !after.ModTime().Equal(before.ModTime()) ||
					after.Sys().(*syscall.Stat_t).Uid != before.Sys().(*syscall.Stat_t).Uid {
					t.Errorf("the file changed: %v → %v (%v)", before, after, err)
				}
				if n, _ := syscall.Getxattr(f, "user.modls", make([]byte, 16)); n > 0 {
					t.Error("the file has module code's extended attribute")
				}
			}
		}},
	{module: "signal", check: CheckInside,
		want: []string{`^fault\.signal: Start: pid \d+: kill: (no such process|operation not permitted)`, `ptrace: (no such process|operation not permitted)`, `module code may signal and trace only the processes it starts`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			// A process of the host that the module's user may signal
			// but for the sandbox: its own.
			host := exec.Command("sleep", "600")
			uid, gid := confine.Policy{Confine: true, RunAs: opts.runAs}.Identity()
			host.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
			if err := host.Start(); err != nil {
				t.Fatal(err)
			}
			writeParams(t, ws, "signal", map[string]int{"PID": host.Process.Pid})
			return func(t *testing.T, _ *Result, _ *Check) {
				if err := host.Process.Signal(syscall.Signal(0)); err != nil {
					t.Errorf("the host's process was killed: %v", err)
				}
				host.Process.Kill()
				host.Wait()
			}
		}},
	{module: "hopper", check: "module stops", nonce: true,
		want: []string{`still running after Stop`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			writeParams(t, ws, "hopper", map[string]string{"Nonce": filepath.Base(ws)})
			return nil
		}},
	{module: "membomb", check: CheckMemory,
		want: []string{`^module code used more than the sandbox's 256 MiB of memory \(--memory\)`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			opts.Limits.Memory = 256 << 20
			return nil
		}},
	{module: "forkstorm", check: CheckProcesses,
		want: []string{`^module code ran into the sandbox's limit of 64 processes and threads \(--procs\)`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			opts.Limits.Processes = 64
			return nil
		}},
	{module: "diskfill", check: CheckDisk,
		want: []string{`^module code filled the sandbox's 32 MiB of disk \(--disk\)`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			opts.Limits.Disk = 32 << 20
			return func(t *testing.T, res *Result, _ *Check) {
				if c := find(res, CheckLoads); c == nil || c.Status != StatusFail || !regexp.MustCompile(`wrote \d+ MiB: write .*/fill: (no space left on device|file too large)`).MatchString(c.Message) {
					t.Errorf("Start's write did not fail at the limit:%s", describe(res))
				}
			}
		}},
	{module: "flood", check: CheckOutput,
		want: []string{`^module code wrote more than 1 MiB to standard output and error \(--output\); the sandbox stopped it`},
		prepare: func(t *testing.T, ws string, opts *Options) func(*testing.T, *Result, *Check) {
			opts.Limits.Output = 1 << 20
			return nil
		}},
	{module: "cgo", check: CheckBuilds, file: "cgo/cgo.go",
		want: []string{`^imports "C": cgo is not available in the sandbox, which builds module code with CGO_ENABLED=0 and would leave this file out; write it in Go$`}},
}

// TestFaults runs a module per fault, as root and as an unprivileged user:
// the check that must fail fails, saying what it must, at its line; the
// workspace is unchanged; no directory and no process of the run is left.
func TestFaults(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			for _, f := range faults {
				t.Run(f.module, func(t *testing.T) {
					t.Parallel()
					runFault(t, v, f)
				})
			}
		})
	}
}

// faultWorkspace is a copy of the fixtures of its own.
func faultWorkspace(t *testing.T) string {
	t.Helper()
	ws, err := os.MkdirTemp(base, "ws-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(ws, 0o755)
	t.Cleanup(func() { os.RemoveAll(ws) })
	if err := makeFixtures(ws); err != nil {
		t.Fatal(err)
	}
	return ws
}

func runFault(t *testing.T, v variant, f fault) {
	ws := faultWorkspace(t)
	opts := Options{Dir: filepath.Join(ws, "app"), Module: "fault." + f.module, Timeout: f.timeout, runAs: v.runAs}
	var after func(*testing.T, *Result, *Check)
	if f.prepare != nil {
		after = f.prepare(t, ws, &opts)
	}
	before := checksum(t, ws)
	start := time.Now()
	nonce := ""
	if f.nonce {
		nonce = filepath.Base(ws)
	}
	res, seen := runWatched(t, opts, nonce)
	if after := checksum(t, ws); after != before {
		t.Errorf("the workspace changed")
	}
	if f.nonce && seen == 0 {
		t.Errorf("no process of the fault was seen running")
	}
	if res.Passed {
		t.Fatalf("passed; want %q to fail:%s", f.check, describe(res))
	}
	c := find(res, f.check)
	if c == nil || c.Status != StatusFail {
		t.Fatalf("check %q did not fail:%s", f.check, describe(res))
	}
	for _, w := range f.want {
		if !regexp.MustCompile(w).MatchString(c.Message) {
			t.Errorf("message %q does not match %q", c.Message, w)
		}
	}
	want := ""
	if f.file != "" {
		want = filepath.Join(ws, "app", "modules", "fault", f.file)
	}
	if c.File != want {
		t.Errorf("file = %q; want %q", c.File, want)
	}
	if want != "" && c.Line == 0 {
		t.Errorf("no line in %+v", c)
	}
	if f.check != CheckBuilds {
		if res.Isolation == nil {
			t.Errorf("no isolation report")
		} else if uid, _ := (confine.Policy{Confine: true, RunAs: v.runAs}).Identity(); res.Isolation.UID != uid {
			t.Errorf("module code ran as uid %d; want %d", res.Isolation.UID, uid)
		}
	}
	if after != nil {
		after(t, res, c)
	}
	t.Logf("%s in %v: %s:%d: %s", f.check, time.Since(start).Round(time.Millisecond), filepath.Base(c.File), c.Line, c.Message)
}

// TestOutsideReplace: a replace directive of go.mod naming a directory
// outside the Go module fails "module builds" at its line, and the
// replaced package's initialisation never runs.
func TestOutsideReplace(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			root, err := os.MkdirTemp(base, "replace-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(root)
			ws := filepath.Join(root, "ws")
			if err := makeFixtures(ws); err != nil {
				t.Fatal(err)
			}
			evil := filepath.Join(root, "evil")
			if err := copyDir("testdata/replace/evil", evil); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(root, "written-by-evil")
			os.WriteFile(filepath.Join(evil, "target"), []byte(target), 0o644)
			if err := copyDir("testdata/replace/module", filepath.Join(ws, "app", "modules", "fault", "replace")); err != nil {
				t.Fatal(err)
			}
			gomod, _ := os.ReadFile(filepath.Join(ws, "go.mod"))
			gomod = append(gomod, "\nrequire example.com/evil v0.0.0\n\nreplace example.com/evil => ../evil\n"...)
			os.WriteFile(filepath.Join(ws, "go.mod"), gomod, 0o644)
			line := strings.Count(string(gomod), "\n") // the last line
			before := checksum(t, root)
			res := run(t, Options{Dir: filepath.Join(ws, "app"), Module: "fault.replace", runAs: v.runAs})
			if checksum(t, root) != before {
				t.Errorf("the workspace or the replaced directory changed")
			}
			c := find(res, CheckBuilds)
			want := fmt.Sprintf("replace example.com/evil => ../evil names a directory outside the Go module %s: the sandbox builds only its copy of the Go module, and would compile that code from outside it; move the directory into the Go module, or require a published version", ws)
			if c == nil || c.Status != StatusFail || c.Message != want || c.File != filepath.Join(ws, "go.mod") || c.Line != line {
				t.Fatalf("want %q failed at go.mod:%d with %q:%s", CheckBuilds, line, want, describe(res))
			}
			if len(res.Checks) != 1 {
				t.Errorf("more than the build ran:%s", describe(res))
			}
			if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the replaced package's init ran (%v)", err)
			}
		})
	}
}

// TestInsideReplace: a replace directive naming a directory inside the Go
// module is copied with it and built from the copy.
func TestInsideReplace(t *testing.T) {
	ws := faultWorkspace(t)
	if err := copyDir("testdata/replace/evil", filepath.Join(ws, "third_party", "evil")); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(ws, "written-by-the-copy")
	os.WriteFile(filepath.Join(ws, "third_party", "evil", "target"), []byte(filepath.Join("/nonexistent", filepath.Base(target))), 0o644)
	if err := copyDir("testdata/replace/module", filepath.Join(ws, "app", "modules", "fault", "replace")); err != nil {
		t.Fatal(err)
	}
	gomod, _ := os.ReadFile(filepath.Join(ws, "go.mod"))
	gomod = append(gomod, "\nrequire example.com/evil v0.0.0\n\nreplace example.com/evil => ./third_party/evil\n"...)
	os.WriteFile(filepath.Join(ws, "go.mod"), gomod, 0o644)
	res := run(t, Options{Dir: filepath.Join(ws, "app"), Module: "fault.replace", Mode: ModeIntegration})
	if !res.Passed {
		t.Fatalf("failed:%s", describe(res))
	}
}

func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
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
	if left := leftovers(t, os.TempDir()); len(left) > 0 {
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
	// Its generated integration tests ran, and passed.
	for _, name := range []string{"test TestServesAsTheApplicationDoes", "test TestItemsSurviveARestart"} {
		if c := find(res, name); c == nil || c.Status != StatusPass {
			t.Errorf("%s did not pass:%s", name, describe(res))
		}
	}
}

// TestBinaryCache: a run whose binaries' inputs are those of an earlier
// run reuses them; an edit of anything that goes into a binary (module
// code, a test, the framework, go.mod, go.sum) builds it again, and the
// run behaves as the edit says. An edited test rebuilds its test binary
// alone.
func TestBinaryCache(t *testing.T) {
	ws := faultWorkspace(t)
	app := filepath.Join(ws, "app")
	dir := filepath.Join(app, "modules", "fault", "status500")
	module := filepath.Join(dir, "module.go")
	test := filepath.Join(dir, "cache_integration_test.go")
	framework := filepath.Join(ws, "framework", "doc.go")
	gomod, gosum := filepath.Join(ws, "go.mod"), filepath.Join(ws, "go.sum")
	original := map[string][]byte{}
	for _, name := range []string{module, framework, gomod, gosum} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		original[name] = data
	}
	broken := []byte(`return StatusResponse{}, framework.Errorf(framework.CodeInternal, "report: %w", errNoData)`)
	if !bytes.Contains(original[module], broken) {
		t.Fatal("the fix does not apply")
	}
	// A module no other test builds, whose endpoint answers and whose
	// integration test passes.
	original[module] = append(bytes.Replace(original[module], broken, []byte(`return StatusResponse{OK: errNoData != nil}, nil`), 1),
		fmt.Sprintf("\n// %s\n", filepath.Base(ws))...)
	original[test] = []byte("//go:build integration\n\npackage status500\n\nimport \"testing\"\n\nfunc TestCache(t *testing.T) { t.Log(\"as written\") }\n")
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	restore := func() {
		t.Helper()
		for name, data := range original {
			write(name, data)
		}
	}
	reusedRE := regexp.MustCompile(`(\d+) of (\d+) binaries reused`)
	// reused is how many of the run's two binaries came from the cache.
	reused := func(res *Result) int {
		c := find(res, CheckBuilds)
		if c == nil {
			return -1
		}
		m := reusedRE.FindStringSubmatch(c.Message)
		if m == nil {
			return 0
		}
		if m[2] != "2" {
			t.Errorf("the run needed %s binaries; want 2 (the harness, a test binary): %s", m[2], c.Message)
		}
		return atoi(m[1])
	}
	runIt := func() *Result {
		t.Helper()
		return run(t, Options{Dir: app, Module: "fault.status500", Timeout: hangLimit})
	}
	// expect runs the copy as it is, and checks how many binaries it
	// reused and that it passed, or failed with want in a check of that
	// name.
	expect := func(what string, wantReused int, check, want string) {
		t.Helper()
		res := runIt()
		if got := reused(res); got != wantReused {
			t.Errorf("%s: %d binaries reused; want %d:%s", what, got, wantReused, describe(res))
		}
		if check == "" {
			if !res.Passed {
				t.Errorf("%s: failed:%s", what, describe(res))
			}
			return
		}
		if c := find(res, check); res.Passed || c == nil || c.Status != StatusFail || !strings.Contains(c.Message, want) {
			t.Errorf("%s: want %q to fail saying %q:%s", what, check, want, describe(res))
		}
	}

	restore()
	expect("first run", 0, "", "")
	expect("unchanged", 2, "", "")

	write(test, bytes.Replace(original[test], []byte(`t.Log("as written")`), []byte(`t.Fatal("the edited test")`), 1))
	expect("edited test", 1, "test TestCache", "the edited test")
	restore()
	expect("test restored", 2, "", "")

	write(module, bytes.Replace(original[module], []byte(`return StatusResponse{OK: errNoData != nil}, nil`), broken, 1))
	expect("edited module code", 0, "GET /api/v1/status500/report", "answered 500")
	restore()
	expect("module code restored", 2, "", "")

	write(framework, append(slices.Clone(original[framework]), "\nfunc init() { panic(\"the edited framework\") }\n"...))
	expect("edited framework", 0, CheckLoads, "the edited framework")
	restore()

	// A version of Go the toolchain is not.
	edited := regexp.MustCompile(`(?m)^go \S+$`).ReplaceAll(original[gomod], []byte("go 1.99"))
	if bytes.Equal(edited, original[gomod]) {
		t.Fatal("go.mod has no go line")
	}
	write(gomod, edited)
	expect("edited go.mod", 0, CheckBuilds, "go.mod requires go >= 1.99")
	restore()

	var sum []string
	for _, l := range strings.SplitAfter(string(original[gosum]), "\n") {
		if !strings.HasPrefix(l, "modernc.org/sqlite ") {
			sum = append(sum, l)
		}
	}
	write(gosum, []byte(strings.Join(sum, "")))
	expect("edited go.sum", 0, CheckBuilds, "missing go.sum entry for module providing package modernc.org/sqlite")
	restore()

	expect("everything restored", 2, "", "")
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
	run(t, Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.child", Mode: ModeIntegration, base: os.TempDir()})
	for _, d := range []string{res.Dir, dead} {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was not swept", d)
		}
	}
}

// TestCancel cancels a run while the module's Start hangs: Run returns
// context.Canceled long before the time limit and leaves nothing behind.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp(base, "cancel-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	const limit = 10 * time.Minute
	done := make(chan error, 1)
	out := &lineSignal{want: "fault.hang: started", seen: make(chan struct{})}
	go func() {
		_, err := Run(ctx, Options{Dir: filepath.Join(fixtures, "app"), Module: "fault.hang", Timeout: limit, Stdout: out, base: dir}, nil)
		done <- err
	}()
	// The fixture prints this from Start, then hangs.
	select {
	case <-out.seen:
	case err := <-done:
		t.Fatalf("the run ended (%v) before Start started", err)
	case <-time.After(ceiling):
		t.Fatalf("Start did not start within %v", ceiling)
	}
	procs := processesOf(dir, "")
	if len(procs) == 0 {
		t.Fatalf("no process of the run is running although Start has started")
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
	for pid, cmd := range procs {
		if alive(pid) {
			t.Errorf("process %d (%s) outlived the cancelled run", pid, cmd)
		}
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// lineSignal closes seen once want has been written to it.
type lineSignal struct {
	mu   sync.Mutex
	buf  []byte
	want string
	seen chan struct{}
	done bool
}

func (l *lineSignal) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.buf = append(l.buf, p...)
		if bytes.Contains(l.buf, []byte(l.want)) {
			l.done = true
			close(l.seen)
		}
	}
	return len(p), nil
}

func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !bytes.Contains(stat, []byte(") Z "))
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

// TestFallbacks takes layers away, as on machines that lack them. Without
// any layer, module code and an integration test write into the real
// workspace, which nothing refuses, and the comparison of the workspace
// before and after each run reports both. Without namespaces, Landlock
// refuses the same writes.
func TestFallbacks(t *testing.T) {
	workspace := func(t *testing.T) (app, target string) {
		ws := faultWorkspace(t)
		app = filepath.Join(ws, "app")
		// Module code runs as another user: it may write here, but for
		// the sandbox.
		os.Chmod(app, 0o777)
		target = filepath.Join(app, "scribbled.txt")
		if err := os.WriteFile(filepath.Join(app, "modules", "fault", "scribble", "target"), []byte(target+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return app, target
	}

	t.Run("no layers", func(t *testing.T) {
		app, target := workspace(t)
		res := run(t, Options{Dir: app, Module: "fault.scribble", disable: []string{"all"}})
		for _, l := range res.Isolation.Layers {
			if l.Status == confine.InForce && l.Name != confine.LayerSupervisor && l.Name != confine.LayerUser && l.Name != confine.LayerCapabilities {
				t.Errorf("layer %s is in force although every layer is disabled", l.Name)
			}
		}
		for _, f := range []string{target, target + ".test"} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("the write of %s was refused (%v); without any layer it goes through", filepath.Base(f), err)
			}
		}
		for _, tc := range []struct{ check, file, who string }{
			{CheckWrites, target, "module code"},
			{CheckWrites + " (integration tests)", target + ".test", "an integration test"},
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
		if c := find(res, CheckLoads); c == nil || c.Status != StatusPass {
			t.Errorf("without any layer Start's write should succeed:%s", describe(res))
		}
	})

	for _, v := range variants() {
		t.Run("landlock only, "+v.name, func(t *testing.T) {
			app, target := workspace(t)
			res := run(t, Options{Dir: app, Module: "fault.scribble", runAs: v.runAs,
				disable: []string{confine.LayerUserNS, confine.LayerMountNS, confine.LayerPIDNS, confine.LayerNetNS, confine.LayerIPCNS}})
			if !res.Isolation.Holds(confine.LayerLandlockFS) {
				t.Fatalf("landlock is not in force: %s", res.Isolation.Summary())
			}
			if c := find(res, CheckInside); c == nil || c.Status != StatusFail || !strings.Contains(c.Message, "open "+target+": permission denied") {
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
			for _, name := range []string{confine.LayerMountNS, confine.LayerPIDNS} {
				if l := res.Isolation.Layer(name); l.Status != confine.Off {
					t.Errorf("%s: %s; want off", name, l.Status)
				}
			}
		})
	}
}

// TestUnknownModuleListsTheApplication: an unknown name lists the modules of
// the application the run was asked for, once each and sorted; from a
// directory above several applications, each application's.
func TestUnknownModuleListsTheApplication(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/two\n\ngo 1.26\n"), 0o644)
	for _, m := range []struct{ app, typ, name string }{
		{"a", "std", "zeta"}, {"a", "std", "alpha"}, {"a", "ext", "mid"},
		{"b", "std", "alpha"}, {"b", "std", "beta"},
	} {
		d := filepath.Join(dir, m.app, "modules", m.typ, m.name)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "manifest.json"), []byte(`{"name": "`+m.typ+"."+m.name+`", "version": "1.0.0"}`), 0o644)
	}
	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(dir, "a"), "no module std.nope in the application " + filepath.Join(dir, "a") + "; its modules are ext.mid, std.alpha, std.zeta"},
		{filepath.Join(dir, "b", "modules", "std"), "no module std.nope in the application " + filepath.Join(dir, "b") + "; its modules are std.alpha, std.beta"},
		{dir, "no module std.nope in the applications under " + dir + ": " + filepath.Join(dir, "a") + " (ext.mid, std.alpha, std.zeta); " +
			filepath.Join(dir, "b") + " (std.alpha, std.beta); --dir chooses one"},
	} {
		_, err := Run(context.Background(), Options{Dir: tc.dir, Module: "std.nope"}, nil)
		var unknown *UnknownModuleError
		if !errors.As(err, &unknown) || err.Error() != tc.want {
			t.Errorf("Run in %s: %v\nwant %s", tc.dir, err, tc.want)
		}
	}
}

// TestBuildFailureNamesWorkspaceFiles: what the go command says of files
// of the copy names them in the real workspace, never in the copy.
func TestBuildFailureNamesWorkspaceFiles(t *testing.T) {
	ws := &workspace.Workspace{Root: "/home/u/app", ModulePath: "example.com/app"}
	r := &runner{ws: ws, sb: &sandboxDir{dir: "/tmp/modls-sandbox-1"}}
	for _, tc := range []struct{ out, file, msg string }{
		{"# example.com/app/modules/std/x\nmodules/std/x/x.go:7:2: undefined: y\n", "/home/u/app/modules/std/x/x.go", "undefined: y"},
		{"go: /tmp/modls-sandbox-1/src/modules/std/x/go.mod: no such module\n", "", "go: /home/u/app/modules/std/x/go.mod: no such module"},
	} {
		c := r.buildFailure([]byte(tc.out), time.Second)
		if c.File != tc.file || c.Message != tc.msg || c.Status != StatusFail {
			t.Errorf("buildFailure(%q) = %s:%d %q; want %s %q", tc.out, c.File, c.Line, c.Message, tc.file, tc.msg)
		}
	}
}
