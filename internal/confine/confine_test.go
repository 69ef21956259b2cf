package confine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests run testdata/helper, built where every user may read it, as
// the confined command.
var (
	base   string // a directory every user may traverse
	helper string // the copy of this binary
	// unprivileged is a user that exists nowhere else, for the runs as
	// an unprivileged user when the tests run as root.
	unprivileged = Credential{UID: -1, GID: -1}
)

func TestMain(m *testing.M) {
	var err error
	base, err = os.MkdirTemp("", "confine-test-")
	if err == nil {
		base, _ = filepath.EvalSymlinks(base)
		err = os.Chmod(base, 0o755)
	}
	if err == nil {
		// A program of its own, built without the race detector, whose
		// shadow memory would not fit the limits under test.
		helper = filepath.Join(base, "helper")
		cmd := exec.Command("go", "build", "-o", helper, "./testdata/helper")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, berr := cmd.CombinedOutput(); berr != nil {
			err = fmt.Errorf("building the helper: %v: %s", berr, out)
		}
	}
	if err != nil {
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
func freeUser() Credential {
	passwd, _ := os.ReadFile("/etc/passwd")
	group, _ := os.ReadFile("/etc/group")
	for id := 61000; id < 62000; id++ {
		s := ":" + strconv.Itoa(id) + ":"
		if !bytes.Contains(passwd, []byte(s)) && !bytes.Contains(group, []byte(s)) && userTasks(id) == 0 {
			return Credential{UID: id, GID: id}
		}
	}
	panic("no free uid")
}

// variant is one way of running the suite: as the caller, as an
// unprivileged user, without namespaces.
type variant struct {
	name  string
	apply func(p *Policy)
}

var namespaces = []string{LayerUserNS, LayerMountNS, LayerPIDNS, LayerNetNS, LayerIPCNS}

func variants() []variant {
	vs := []variant{{name: "caller"}}
	if os.Geteuid() == 0 {
		vs[0].name = "root"
		vs = append(vs, variant{name: "unprivileged", apply: func(p *Policy) { p.RunAs = &unprivileged }})
	}
	vs = append(vs, variant{name: "no namespaces", apply: func(p *Policy) { p.Disable = append(p.Disable, namespaces...) }})
	if os.Geteuid() == 0 {
		vs = append(vs, variant{name: "unprivileged, no namespaces", apply: func(p *Policy) {
			p.RunAs = &unprivileged
			p.Disable = append(p.Disable, namespaces...)
		}})
	}
	return vs
}

// run runs the helper confined and returns its output and how it ended.
func run(t *testing.T, v variant, p Policy, args ...string) (string, *Exit) {
	t.Helper()
	c, out := start(t, v, p, args...)
	ex, err := c.Wait()
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if ex.Error != "" {
		t.Fatalf("the command did not run: %s", ex.Error)
	}
	return out.String(), ex
}

func start(t *testing.T, v variant, p Policy, args ...string) (*Cmd, *syncBuffer) {
	t.Helper()
	return startWith(t, v, p, nil, args...)
}

func startWith(t *testing.T, v variant, p Policy, hook func(*Cmd), args ...string) (*Cmd, *syncBuffer) {
	t.Helper()
	w := filepath.Join(tempDir(t), "data")
	p.Confine = true
	p.Write = w
	p.WriteDirs = []string{"tmp"}
	p.Read = append(p.Read, helper)
	if v.apply != nil {
		v.apply(&p)
	}
	out := &syncBuffer{}
	c := &Cmd{Path: helper, Args: append([]string{helper}, args...), Dir: w,
		Env: []string{"PATH=/usr/bin:/bin", "TMPDIR=" + w + "/tmp"}, Stdout: out, Stderr: out, Policy: p}
	if hook != nil {
		hook(c)
	}
	if err := c.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return c, out
}

// tempDir is a directory every user may traverse, removed at the end of
// the test.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp(base, "t-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitOutput waits for the command's output to hold want.
func waitOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the output never said %q: %s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReport checks the isolation report against what this machine
// offers: every layer in force where namespaces work, and the cgroup only
// where a delegated cgroup v2 subtree exists.
func TestReport(t *testing.T) {
	_, cgErr := newCgroup(Limits{}.WithDefaults())
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			out, ex := run(t, v, Policy{}, "read", "/etc/passwd")
			if out != "ok\n" {
				t.Fatalf("reading /etc/passwd: %s", out)
			}
			r := ex.Report
			var names []string
			for _, l := range r.Layers {
				names = append(names, l.Name)
				t.Logf("%-20s %-12s %s", l.Name, l.Status, l.Detail)
			}
			if strings.Join(names, ",") != strings.Join(Layers, ",") {
				t.Errorf("layers %q; want %q", names, Layers)
			}
			noNS := strings.Contains(v.name, "no namespaces")
			for _, l := range r.Layers {
				want := InForce
				switch {
				case l.Name == LayerCgroup && cgErr != nil:
					want = Unavailable
				case l.Name == LayerCgroup && v.name == "unprivileged":
					continue // this user may not write the caller's cgroup
				case noNS && (l.Name == LayerUserNS || l.Name == LayerMountNS || l.Name == LayerPIDNS || l.Name == LayerNetNS || l.Name == LayerIPCNS):
					want = Off
				case noNS && l.Name == LayerDiskLimit:
					want = Unavailable
				case !noNS && l.Name == LayerLandlockNet:
					want = NotNeeded
				}
				if l.Status != want {
					t.Errorf("%s: %s (%s); want %s", l.Name, l.Status, l.Detail, want)
				}
			}
			wantUID := os.Geteuid()
			if os.Geteuid() == 0 {
				wantUID = nobody
			}
			if strings.Contains(v.name, "unprivileged") {
				wantUID = unprivileged.UID
			}
			if r.UID != wantUID {
				t.Errorf("uid %d; want %d", r.UID, wantUID)
			}
		})
	}
}

// TestFilesystem: the command reads the system and what it is given,
// writes only its directory, and changes no metadata outside it.
func TestFilesystem(t *testing.T) {
	secretDir := filepath.Join(base, "secrets")
	os.Mkdir(secretDir, 0o755)
	secret := filepath.Join(secretDir, "secret")
	os.WriteFile(secret, []byte("secret"), 0o644)
	given := filepath.Join(base, "given")
	os.WriteFile(given, []byte("given"), 0o644)
	home, _ := os.UserHomeDir()
	before, _ := os.Stat(secret)
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			for _, tc := range []struct {
				args []string
				ok   bool
			}{
				{[]string{"read", given}, true},
				{[]string{"write", "$W/tmp/file"}, true},
				{[]string{"read", "/usr/bin/env"}, true},
				{[]string{"read", secret}, false},
				{[]string{"list", secretDir}, false},
				{[]string{"read", "/etc/shadow"}, false},
				{[]string{"list", home}, false},
				{[]string{"read", "/proc/1/environ"}, false},
				{[]string{"read", fmt.Sprintf("/proc/%d/environ", os.Getpid())}, false},
				{[]string{"write", secret}, false},
				{[]string{"write", given}, false},
				{[]string{"write", helper}, false},
				{[]string{"write", "/tmp/confine-test-escape"}, false},
				{[]string{"write", filepath.Join(secretDir, "new")}, false},
				{[]string{"chmod", secret}, false},
				{[]string{"chown", secret}, false},
				{[]string{"setxattr", secret}, false},
				{[]string{"utimes", secret}, false},
				{[]string{"exe"}, false},
			} {
				p := Policy{Read: []string{given}}
				args := append([]string(nil), tc.args...)
				if strings.HasPrefix(args[len(args)-1], "$W") {
					// filled in by the helper's own directory
					args[len(args)-1] = "WRITE" + strings.TrimPrefix(args[len(args)-1], "$W")
				}
				c, out := startWrite(t, v, p, args...)
				if _, err := c.Wait(); err != nil {
					t.Fatal(err)
				}
				got := strings.TrimSpace(out.String())
				if tc.ok && got != "ok" || !tc.ok && !strings.HasPrefix(got, "refused: ") {
					t.Errorf("%s: %s", strings.Join(tc.args, " "), got)
				}
			}
			if _, err := os.Stat("/tmp/confine-test-escape"); err == nil {
				os.Remove("/tmp/confine-test-escape")
				t.Error("the command wrote /tmp")
			}
			after, _ := os.Stat(secret)
			data, _ := os.ReadFile(secret)
			if after.Mode() != before.Mode() || !after.ModTime().Equal(before.ModTime()) || string(data) != "secret" {
				t.Errorf("the secret changed: %v %v %q", after.Mode(), after.ModTime(), data)
			}
			if n, _ := syscall.Getxattr(secret, "user.modls", make([]byte, 16)); n > 0 {
				t.Error("the secret has the command's xattr")
			}
		})
	}
}

// startWrite is start with WRITE in the last argument replaced by the
// command's writable directory.
func startWrite(t *testing.T, v variant, p Policy, args ...string) (*Cmd, *syncBuffer) {
	t.Helper()
	w := filepath.Join(tempDir(t), "data")
	last := len(args) - 1
	args[last] = strings.Replace(args[last], "WRITE", w, 1)
	p.Confine, p.Write, p.WriteDirs = true, w, []string{"tmp"}
	p.Read = append(p.Read, helper)
	if v.apply != nil {
		v.apply(&p)
	}
	out := &syncBuffer{}
	c := &Cmd{Path: helper, Args: append([]string{helper}, args...), Dir: w,
		Env: []string{"PATH=/usr/bin:/bin"}, Stdout: out, Stderr: out, Policy: p}
	if err := c.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return c, out
}

// TestNetwork: a listener of the host on 127.0.0.1 is out of reach; the
// command's own loopback works where a network namespace holds; and
// --network gives the host's network.
func TestNetwork(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var mu sync.Mutex
	accepted := 0
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted++
			mu.Unlock()
			c.Close()
		}
	}()
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			out, ex := run(t, v, Policy{}, "dial", l.Addr().String())
			if !strings.HasPrefix(out, "refused: ") {
				t.Errorf("dialing the host's listener: %s", out)
			}
			out, _ = run(t, v, Policy{}, "loopback")
			if ex.Report.Holds(LayerNetNS) && out != "ok\n" {
				t.Errorf("the command's own loopback server: %s", out)
			}
			if !ex.Report.Holds(LayerNetNS) && !strings.HasPrefix(out, "refused: ") {
				t.Errorf("without a network namespace Landlock refuses every TCP bind: %s", out)
			}
		})
	}
	mu.Lock()
	if accepted != 0 {
		t.Errorf("the host's listener accepted %d connections", accepted)
	}
	mu.Unlock()
	out, ex := run(t, variants()[0], Policy{Network: true}, "dial", l.Addr().String())
	if out != "ok\n" || !ex.Report.Network || ex.Report.Layer(LayerNetNS).Status != Off {
		t.Errorf("with Network: %s, %+v", out, ex.Report.Layer(LayerNetNS))
	}
}

// TestSignals: no process outside the run can be signalled or traced.
func TestSignals(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			host := exec.Command("sleep", "600")
			if strings.Contains(v.name, "unprivileged") {
				host.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(unprivileged.UID), Gid: uint32(unprivileged.GID)}}
			} else if os.Geteuid() == 0 {
				host.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			}
			if err := host.Start(); err != nil {
				t.Fatal(err)
			}
			defer host.Process.Kill()
			pid := strconv.Itoa(host.Process.Pid)
			for _, action := range []string{"kill", "ptrace"} {
				out, _ := run(t, v, Policy{}, action, pid)
				if !strings.HasPrefix(out, "refused: ") {
					t.Errorf("%s of a host process of the same user: %s", action, out)
				}
			}
			if err := host.Process.Signal(syscall.Signal(0)); err != nil {
				t.Errorf("the host process is gone: %v", err)
			}
		})
	}
}

// TestChannel: the command's lines on descriptor 3 reach OnLine; the
// launcher's own descriptor 3 is out of its reach.
func TestChannel(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			var mu sync.Mutex
			var lines []string
			c, out := startWith(t, v, Policy{Channel: true}, func(c *Cmd) {
				c.OnLine = func(b []byte) {
					mu.Lock()
					lines = append(lines, string(b))
					mu.Unlock()
				}
			}, "channel")
			ex, err := c.Wait()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), "refused: ") {
				t.Errorf("opening the supervisor's descriptor 3: %s", out.String())
			}
			if ex.Error != "" || ex.Code != 0 {
				t.Errorf("exit %+v: the command forged the supervisor's report", ex)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(lines) != 1 || lines[0] != `{"from": "the command"}` {
				t.Errorf("lines %q; want the command's one line", lines)
			}
		})
	}
}

// TestLifetime: nothing of the run outlives it, not even a process that
// leaves the session, empties its environment and changes pid every 20ms.
func TestLifetime(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			nonce := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
			c, out := start(t, v, Policy{}, "hop", nonce)
			nonce = "hopper-" + nonce
			seen := map[int]bool{}
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				for {
					for _, pid := range withArg(nonce) {
						seen[pid] = true
					}
					select {
					case <-stop:
						return
					default:
						time.Sleep(2 * time.Millisecond)
					}
				}
			}()
			ex, err := c.Wait()
			close(stop)
			<-done
			if err != nil {
				t.Fatal(err)
			}
			// The helper waits for the hopper's fifth pid before it ends:
			// the hopper is among the strays.
			if len(ex.Strays) == 0 {
				t.Errorf("no strays; the hopper was running: %s", out.String())
			}
			for pid := range seen {
				if alive(pid) && strings.Contains(cmdline(pid), nonce) {
					t.Errorf("hopper %d is still running", pid)
				}
			}
			if left := withArg(nonce); len(left) > 0 {
				t.Errorf("hoppers left: %v", left)
			}
		})
	}
}

// withArg lists the live processes whose command line holds s.
func withArg(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && strings.Contains(cmdline(pid), s) && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// TestLimits: memory, processes, disk and output each stop at their limit,
// and the exit names it.
func TestLimits(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			small := Limits{Memory: 128 << 20, Processes: 64, Disk: 16 << 20, Output: 1 << 20}
			out, ex := run(t, v, Policy{Limits: Limits{Memory: small.Memory}}, "alloc", "1024")
			if strings.Contains(out, "allocated") || !ex.Hit(LimitMemory) {
				t.Errorf("memory: %q, limits %v", tail(out), ex.Limits)
			}
			out, ex = run(t, v, Policy{Limits: Limits{Processes: small.Processes}}, "fork", "1000")
			// Either the helper's fork fails, or the Go runtime's next
			// thread: both are the limit holding.
			if !strings.Contains(out, "resource temporarily unavailable") && !strings.Contains(out, "failed to create new OS thread") || !ex.Hit(LimitProcesses) {
				t.Errorf("processes: %q, limits %v", out, ex.Limits)
			}
			// Without a user namespace, and as the caller, the kernel
			// counts every process and thread of the user on the host:
			// the limit leaves room for those running when the command
			// starts, and whatever of them ends during the run (other
			// test binaries, in a parallel test run) frees room for
			// more. The bomb must still stop far short of its 1000.
			bound := small.Processes
			if v.name == "no namespaces" {
				bound = 2 * small.Processes
			}
			if len(ex.Strays) > bound {
				t.Errorf("%d strays of 1000 sleeps; want at most %d", len(ex.Strays), bound)
			}
			out, ex = runWrite(t, v, Policy{Limits: Limits{Disk: small.Disk}}, "fill", "WRITE/tmp/big")
			if !strings.HasPrefix(out, "refused: ") || !ex.Hit(LimitDisk) || ex.DiskUsed > small.Disk+(1<<20) {
				t.Errorf("disk: %q, limits %v, used %d", out, ex.Limits, ex.DiskUsed)
			}
			// Many files, each under the per-file limit: the total is
			// held by the tmpfs, or the run ends past it (how far past
			// depends on when the supervisor next samples, so only
			// that it ended is asserted).
			out, ex = runWrite(t, v, Policy{Limits: Limits{Disk: small.Disk}}, "spread", "WRITE/tmp/part")
			if strings.Contains(out, "wrote ") || !ex.Hit(LimitDisk) {
				t.Errorf("disk, many files: %q, limits %v, used %d", out, ex.Limits, ex.DiskUsed)
			}
			out, ex = run(t, v, Policy{Limits: Limits{Output: small.Output}}, "flood")
			if !ex.Hit(LimitOutput) || int64(len(out)) != small.Output {
				t.Errorf("output: %d bytes kept, limits %v", len(out), ex.Limits)
			}
		})
	}
}

func runWrite(t *testing.T, v variant, p Policy, args ...string) (string, *Exit) {
	t.Helper()
	c, out := startWrite(t, v, p, args...)
	ex, err := c.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), ex
}

func tail(s string) string {
	if len(s) > 300 {
		return "…" + s[len(s)-300:]
	}
	return s
}

// TestKill: Kill ends the command and the processes it started, even one
// that left its session, within a second, and removes Policy.Remove.
func TestKill(t *testing.T) {
	for _, confined := range []bool{true, false} {
		for _, v := range variants() {
			t.Run(fmt.Sprintf("%s confined=%v", v.name, confined), func(t *testing.T) {
				nonce := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
				gone := filepath.Join(tempDir(t), "go-build123")
				os.MkdirAll(filepath.Join(gone, "b001"), 0o755)
				if strings.Contains(v.name, "unprivileged") {
					// The user who runs go test owns its directory, in a
					// directory like /tmp.
					os.Chmod(filepath.Dir(gone), 0o1777)
					os.Chown(gone, unprivileged.UID, unprivileged.GID)
					os.Chown(filepath.Join(gone, "b001"), unprivileged.UID, unprivileged.GID)
				}
				p := Policy{Remove: []string{gone}}
				var c *Cmd
				var out *syncBuffer
				if confined {
					c, out = start(t, v, p, "tree", nonce)
				} else {
					if v.apply != nil {
						v.apply(&p)
					}
					out = &syncBuffer{}
					c = &Cmd{Path: helper, Args: []string{helper, "tree", nonce}, Env: []string{"PATH=/usr/bin:/bin"}, Stdout: out, Stderr: out, Policy: p}
					if err := c.Start(); err != nil {
						t.Fatal(err)
					}
				}
				waitOutput(t, out, "sleeping")
				waitFor(t, "the setsid sleep", func() bool { return len(withArg("tree-"+nonce)) > 0 })
				pids := withArg("tree-" + nonce)
				start := time.Now()
				c.Kill()
				ex, err := c.Wait()
				if err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d > time.Second {
					t.Errorf("the run took %v to end", d)
				}
				if !ex.Killed {
					t.Errorf("exit %+v does not say it was killed", ex)
				}
				for _, pid := range append(pids, c.Pid()) {
					if alive(pid) {
						t.Errorf("process %d (%s) is alive", pid, cmdline(pid))
					}
				}
				if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s was not removed (%v)", gone, err)
				}
			})
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCallerDies: when the caller dies without a word, the run ends: the
// supervisor hears its end of the control pipe close.
func TestCallerDies(t *testing.T) {
	if os.Getenv("CONFINE_CALLER") != "" {
		c := &Cmd{Path: helper, Args: []string{helper, "tree", os.Getenv("CONFINE_CALLER")}, Env: []string{"PATH=/usr/bin:/bin"}, Stdout: os.Stdout, Stderr: os.Stderr}
		if os.Getenv("CONFINE_NO_NS") != "" {
			c.Policy.Disable = namespaces
		}
		if err := c.Start(); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		time.Sleep(time.Hour)
	}
	for _, noNS := range []bool{false, true} {
		t.Run(fmt.Sprintf("namespaces=%v", !noNS), func(t *testing.T) {
			nonce := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
			caller := exec.Command(os.Args[0], "-test.run=^TestCallerDies$")
			caller.Env = append(os.Environ(), "CONFINE_CALLER="+nonce)
			// The caller sleeps until killed: not past this test binary.
			caller.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			if noNS {
				caller.Env = append(caller.Env, "CONFINE_NO_NS=1")
			}
			stdout, _ := caller.StdoutPipe()
			if err := caller.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			for sc.Scan() && !strings.Contains(sc.Text(), "sleeping") {
			}
			go io.Copy(io.Discard, stdout)
			waitFor(t, "the setsid sleep", func() bool { return len(withArg("tree-"+nonce)) > 0 })
			pids := withArg("tree-" + nonce)
			caller.Process.Kill()
			caller.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			for _, pid := range pids {
				for alive(pid) && ctx.Err() == nil {
					time.Sleep(5 * time.Millisecond)
				}
				if alive(pid) {
					t.Errorf("process %d (%s) outlived its caller by a second", pid, cmdline(pid))
				}
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "512B": 512, "64KiB": 64 << 10, "1k": 1 << 10, "256MiB": 256 << 20, "1G": 1 << 30, "2 GiB": 2 << 30, "1TB": 1 << 40} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "0", "12XB", "99999999999T"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
	for n, want := range map[int64]string{1 << 30: "1 GiB", 512 << 20: "512 MiB", 1000: "1000 B", 64 << 10: "64 KiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q; want %q", n, got, want)
		}
	}
}
