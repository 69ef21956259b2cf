package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/modls/modls/internal/confine"
)

// event is one line the harness writes on descriptor 3; it mirrors the
// harness's own type.
type event struct {
	Event    string `json:"event"`
	Check    string `json:"check"`
	Activity string `json:"activity"`
	Status   string `json:"status"`
	Duration int64  `json:"duration_ns"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Purpose  string `json:"purpose"`
	Route    string `json:"route"`
}

// exit is how a confined run of module code ended.
type exit struct {
	code     int  // exit status; -1 when killed by a signal
	timedOut bool // stopped at the time limit
	canceled bool // stopped because ctx was done
	signal   string
	stderr   []byte // the start and end of its standard error
	output   []byte // the start and end of its standard output
	startErr error
	// refused is why the launcher did not run the command at all:
	// confinement failed, or --isolation=strict found a layer missing.
	refused string
	strays  []confine.Proc
	limits  []string
	report  confine.Report
}

// excerpt keeps the first and the last n bytes written to it: the start of
// a crash (the panic and its goroutine) and the end of the output.
type excerpt struct {
	mu      sync.Mutex
	n       int
	head    []byte
	buf     []byte
	dropped bool
}

func (t *excerpt) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	written := len(p)
	if k := min(t.n-len(t.head), len(p)); k > 0 {
		t.head = append(t.head, p[:k]...)
		p = p[k:]
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.n {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.n:]...)
		t.dropped = true
	}
	return written, nil
}

func (t *excerpt) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]byte(nil), t.head...)
	if t.dropped {
		out = append(out, "\n[...]\n"...)
	}
	return append(out, t.buf...)
}

// confinedRun is one run of module code: the harness or a test binary.
type confinedRun struct {
	dir            string
	env            []string
	timeout        time.Duration
	stdout, stderr io.Writer
	// onLine, when set, gives the command descriptor 3 and receives its
	// lines.
	onLine func([]byte)
	path   string
	args   []string
}

// policy is what module code may do in this sandbox.
func (r *runner) policy() confine.Policy {
	return confine.Policy{
		Confine:   true,
		Read:      []string{r.sb.path("src"), r.sb.path("bin"), r.sb.path("run")},
		Write:     r.sb.path("data"),
		WriteDirs: []string{"home", "tmp"},
		Network:   r.opts.Network,
		Limits:    r.opts.Limits,
		Strict:    r.opts.Strict,
		RunAs:     r.opts.runAs,
		Disable:   r.opts.disable,
	}
}

// confined runs module code through the launcher: confined before its
// first instruction, with a time limit. At the limit the command gets
// SIGQUIT, so that a Go program prints every goroutine's stack, then the
// run is killed; when ctx is done it is killed at once. Nothing of it
// outlives the call.
func (r *runner) confined(ctx context.Context, c confinedRun) exit {
	errTail, outTail := &excerpt{n: 64 << 10}, &excerpt{n: 64 << 10}
	p := r.policy()
	p.Channel = c.onLine != nil
	cmd := &confine.Cmd{
		Path: c.path, Args: append([]string{c.path}, c.args...), Dir: c.dir, Env: c.env,
		Stdout: io.MultiWriter(c.stdout, outTail), Stderr: io.MultiWriter(c.stderr, errTail),
		Policy: p, OnLine: c.onLine,
	}
	if err := cmd.Start(); err != nil {
		return exit{startErr: err}
	}
	done := make(chan struct{})
	var res exit
	var mu sync.Mutex
	go func() {
		var limit <-chan time.Time
		if c.timeout > 0 {
			t := time.NewTimer(c.timeout)
			defer t.Stop()
			limit = t.C
		}
		select {
		case <-done:
			return
		case <-ctx.Done():
			mu.Lock()
			res.canceled = true
			mu.Unlock()
			cmd.Kill()
		case <-limit:
			mu.Lock()
			res.timedOut = true
			mu.Unlock()
			cmd.Quit()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				cmd.Kill()
			}
		}
	}()
	ex, err := cmd.Wait()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	res.stderr, res.output = errTail.bytes(), outTail.bytes()
	if err != nil {
		res.startErr = err
		return res
	}
	res.code, res.signal, res.refused = ex.Code, ex.Signal, ex.Error
	res.strays, res.limits, res.report = ex.Strays, ex.Limits, ex.Report
	r.noteIsolation(ex.Report)
	return res
}

// noteIsolation keeps the isolation report of the run's first run of
// module code for the Result.
func (r *runner) noteIsolation(rep confine.Report) {
	if len(rep.Layers) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.res.Isolation == nil {
		r.res.Isolation = &rep
	}
}

// runBuild runs the go command in the copy, in a process group of its own
// that is killed when ctx is done or the command ends: the go command
// compiles module code but never runs it.
func runBuild(ctx context.Context, dir string, env []string, out io.Writer, name string, args ...string) (code int, err error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return -1, err
	}
	pgid := cmd.Process.Pid
	stop := context.AfterFunc(ctx, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
	err = cmd.Wait()
	stop()
	syscall.Kill(-pgid, syscall.SIGKILL)
	var xe *exec.ExitError
	if err != nil && !errors.As(err, &xe) && !errors.Is(err, exec.ErrWaitDelay) {
		return -1, err
	}
	return cmd.ProcessState.ExitCode(), nil
}

// goenv is what the sandbox takes of the user's Go set-up.
type goenv struct {
	GOROOT, GOPATH, GOCACHE, GOMODCACHE, GOFLAGS, GOPROXY string
}

var (
	goenvMu    sync.Mutex
	goenvCache *goenv
)

// goEnv asks the go command once per process for the user's caches, so
// that the sandbox's builds are warm even though HOME is not the user's.
func goEnv(ctx context.Context) (*goenv, error) {
	goenvMu.Lock()
	defer goenvMu.Unlock()
	if goenvCache != nil {
		return goenvCache, nil
	}
	cmd := exec.CommandContext(ctx, "go", "env", "-json", "GOROOT", "GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOPROXY")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, errors.New("go env: " + firstLine(stderr.String(), err.Error()))
	}
	var g goenv
	if err := json.Unmarshal(out, &g); err != nil {
		return nil, errors.New("go env: " + err.Error())
	}
	if g.GOCACHE == "" || g.GOCACHE == "off" {
		return nil, errors.New("go env: the build cache is off (GOCACHE); the sandbox needs it")
	}
	goenvCache = &g
	return &g, nil
}

func firstLine(s string, fallback string) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if s == "" {
		return fallback
	}
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
