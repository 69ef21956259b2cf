package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
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
	Landlock bool   `json:"landlock"`
	Stray    []struct {
		PID int    `json:"pid"`
		Cmd string `json:"cmd"`
	} `json:"stray"`
}

// exit is how a confined process ended.
type exit struct {
	code     int  // exit status; -1 when killed by a signal
	timedOut bool // killed at the time limit
	canceled bool // killed because ctx was done
	signal   syscall.Signal
	stderr   []byte // the start and end of its standard error
	output   []byte // the start and end of its standard output
	startErr error
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

// confined runs a command of the sandbox in a process group of its own,
// with env as its whole environment, and a time limit (0: none). Events on
// descriptor 3 go to onEvent as they come. At the limit the group gets
// SIGQUIT, so that Go programs print every goroutine's stack, then SIGKILL;
// when ctx is done it gets SIGKILL at once. Whatever is left of the group
// is killed when the command ends.
func confined(ctx context.Context, dir string, env []string, timeout time.Duration, stdout, stderr io.Writer, onEvent func(event), name string, args ...string) exit {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	errTail, outTail := &excerpt{n: 64 << 10}, &excerpt{n: 64 << 10}
	cmd.Stdout = io.MultiWriter(stdout, outTail)
	cmd.Stderr = io.MultiWriter(stderr, errTail)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = time.Second // a stray child holding the output pipes must not hold us
	var evR, evW *os.File
	if onEvent != nil {
		var err error
		if evR, evW, err = os.Pipe(); err != nil {
			return exit{startErr: err}
		}
		cmd.ExtraFiles = []*os.File{evW}
	}
	if err := cmd.Start(); err != nil {
		if evR != nil {
			evR.Close()
			evW.Close()
		}
		return exit{startErr: err}
	}
	pgid := cmd.Process.Pid
	var readers sync.WaitGroup
	if evW != nil {
		evW.Close()
		readers.Add(1)
		go func() {
			defer readers.Done()
			defer evR.Close()
			sc := bufio.NewScanner(evR)
			sc.Buffer(make([]byte, 64<<10), 4<<20)
			for sc.Scan() {
				var e event
				if json.Unmarshal(sc.Bytes(), &e) == nil {
					onEvent(e)
				}
			}
		}()
	}
	done := make(chan struct{})
	var res exit
	var mu sync.Mutex
	go func() {
		var limit <-chan time.Time
		if timeout > 0 {
			t := time.NewTimer(timeout)
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
			syscall.Kill(-pgid, syscall.SIGKILL)
		case <-limit:
			mu.Lock()
			res.timedOut = true
			mu.Unlock()
			syscall.Kill(-pgid, syscall.SIGQUIT)
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	syscall.Kill(-pgid, syscall.SIGKILL)
	readersDone := make(chan struct{})
	go func() { readers.Wait(); close(readersDone) }()
	select {
	case <-readersDone:
	case <-time.After(2 * time.Second):
		// A process that left the group still holds the events pipe;
		// the sandbox's sweep kills it.
	}
	mu.Lock()
	defer mu.Unlock()
	res.stderr, res.output = errTail.bytes(), outTail.bytes()
	res.code = cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.signal = ws.Signal()
	}
	var xe *exec.ExitError
	if err != nil && !errors.As(err, &xe) && !errors.Is(err, exec.ErrWaitDelay) {
		res.startErr = err
	}
	return res
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

func firstLine(s, fallback string) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if s == "" {
		return fallback
	}
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
