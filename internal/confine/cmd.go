package confine

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Cmd is a command to run confined. Its fields mirror exec.Cmd's: set
// them, then Start and Wait.
type Cmd struct {
	// Path is the program to run; Args its arguments, Args[0] included.
	Path string
	Args []string
	// Dir is the working directory; it must be visible to the command
	// (under Policy.Read or Policy.Write when confined).
	Dir string
	// Env is the command's whole environment.
	Env []string
	// Stdout and Stderr receive the command's output (nil discards it),
	// up to Policy.Limits.Output bytes together; the run is stopped there.
	Stdout, Stderr io.Writer
	Policy         Policy
	// OnLine is called with each line the command writes on descriptor 3
	// (Policy.Channel), as the supervisor relays it.
	OnLine func(line []byte)

	launcher *exec.Cmd
	ctl      *os.File
	cg       *cgroup

	mu        sync.Mutex
	report    *Report
	exit      *Exit
	events    sync.WaitGroup
	output    outputCounter
	killed    bool
	killCh    chan struct{}
	killOnce  sync.Once
	ctlClosed bool
	tail      tailBuffer // the end of the output and of the channel, for what a limit makes programs say
}

// spec is what the runner tells the launcher, as its argument.
type spec struct {
	Policy Policy   `json:"policy"`
	Path   string   `json:"path"`
	Args   []string `json:"args"`
	Dir    string   `json:"dir"`
	Env    []string `json:"env"`
	// Layers are the layers decided before the supervisor starts: the
	// namespaces it was created in, the cgroup.
	Layers []Layer `json:"layers"`
	// UID and GID are who the command runs as.
	UID int `json:"uid"`
	GID int `json:"gid"`
	// Cgroup is the cgroup directory the run is in, if any.
	Cgroup string `json:"cgroup,omitempty"`
}

func (s *spec) holds(layer string) bool {
	for _, l := range s.Layers {
		if l.Name == layer {
			return l.Status == InForce
		}
	}
	return false
}

func (s *spec) set(name, status, detail string) {
	for i := range s.Layers {
		if s.Layers[i].Name == name {
			s.Layers[i] = Layer{Name: name, Status: status, Detail: detail}
			return
		}
	}
	s.Layers = append(s.Layers, Layer{Name: name, Status: status, Detail: detail})
}

func (p Policy) disabled(layer string) bool {
	for _, d := range p.Disable {
		if d == layer || d == "all" {
			return true
		}
	}
	return false
}

// message is one line the launcher writes on its descriptor 3.
type message struct {
	Report *Report `json:"report,omitempty"`
	Line   *string `json:"line,omitempty"`
	Exit   *Exit   `json:"exit,omitempty"`
}

// Start starts the launcher, which confines itself and then the command.
func (c *Cmd) Start() error {
	if c.launcher != nil {
		return errors.New("confine: already started")
	}
	if len(c.Args) == 0 {
		c.Args = []string{c.Path}
	}
	p := c.Policy
	p.Limits = p.Limits.WithDefaults()
	if p.Confine {
		if p.Write == "" {
			return errors.New("confine: a confined command needs a writable directory (Policy.Write)")
		}
		for _, r := range p.Read {
			if within(p.Write, r) || within(r, p.Write) {
				return fmt.Errorf("confine: %s and the writable directory %s overlap", r, p.Write)
			}
		}
	}
	if p.RunAs != nil && os.Geteuid() != 0 {
		return fmt.Errorf("confine: running as uid %d needs root", p.RunAs.UID)
	}
	c.Policy = p
	if p.Confine {
		if err := prepareWrite(p); err != nil {
			return err
		}
	}
	c.output.limit = p.Limits.Output
	c.output.onLimit = c.outputLimit
	sp := &spec{Policy: p, Path: c.Path, Args: c.Args, Dir: c.Dir, Env: c.Env}

	evR, evW, err := os.Pipe()
	if err != nil {
		return err
	}
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		evR.Close()
		evW.Close()
		return err
	}
	stdout := io.Writer(&limitedWriter{w: c.Stdout, c: &c.output, tail: &c.tail})
	stderr := io.Writer(&limitedWriter{w: c.Stderr, c: &c.output, tail: &c.tail})
	var cmd *exec.Cmd
	if p.RunAs != nil {
		// The launcher starts as that user and makes every decision
		// (namespaces, mappings) from there.
		cmd = exec.Command("/proc/self/exe", string(mustJSON(sp)))
		cmd.Args[0] = argvRunAs
		cmd.Env = launcherEnv()
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Credential: &syscall.Credential{Uid: uint32(p.RunAs.UID), Gid: uint32(p.RunAs.GID), Groups: []uint32{}},
			Setpgid:    true,
			Pdeathsig:  syscall.SIGKILL,
		}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.ExtraFiles = []*os.File{evW, ctlR}
		cmd.WaitDelay = 2 * time.Second
		err = cmd.Start()
	} else {
		cmd, c.cg, err = startSupervisor(sp, stdout, stderr, evW, ctlR)
	}
	evW.Close()
	ctlR.Close()
	if err != nil {
		evR.Close()
		ctlW.Close()
		if c.cg != nil {
			c.cg.remove()
		}
		return err
	}
	c.launcher, c.ctl = cmd, ctlW
	c.killCh = make(chan struct{})
	c.events.Add(1)
	go c.readEvents(evR)
	return nil
}

// startSupervisor starts the supervisor in the strongest set of namespaces
// the machine allows, falling back one step at a time and recording why.
// It runs in the caller, or in the launcher started as Policy.RunAs.
func startSupervisor(sp *spec, stdout, stderr io.Writer, events, ctl *os.File) (*exec.Cmd, *cgroup, error) {
	p := sp.Policy
	uid, gid := os.Geteuid(), os.Getegid()
	root := uid == 0
	sp.UID, sp.GID = uid, gid
	if p.Confine && root {
		// Module code never runs as root: as nobody, with a user
		// namespace or without.
		sp.UID, sp.GID = nobody, nobody
	}
	base := uintptr(syscall.CLONE_NEWNS | syscall.CLONE_NEWPID)
	names := map[uintptr]string{syscall.CLONE_NEWNS: LayerMountNS, syscall.CLONE_NEWPID: LayerPIDNS}
	if p.Confine {
		base |= syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS
		names[syscall.CLONE_NEWIPC] = LayerIPCNS
		if !p.Network {
			base |= syscall.CLONE_NEWNET
			names[syscall.CLONE_NEWNET] = LayerNetNS
		}
	}
	for flag, name := range names {
		if p.disabled(name) {
			base &^= flag
		}
	}

	var cg *cgroup
	if p.Confine {
		switch {
		case p.disabled(LayerCgroup):
			sp.set(LayerCgroup, Off, "disabled")
		default:
			var err error
			if cg, err = newCgroup(p.Limits); err != nil {
				sp.set(LayerCgroup, Unavailable, err.Error())
			} else {
				sp.Cgroup = cg.dir
				sp.set(LayerCgroup, InForce, fmt.Sprintf("memory.max %s, pids.max %d in %s", FormatSize(p.Limits.Memory), p.Limits.Processes, cg.dir))
			}
		}
	}

	type attempt struct {
		userns bool
		flags  uintptr
	}
	var attempts []attempt
	if base != 0 {
		if !p.disabled(LayerUserNS) && (p.Confine || !root) {
			attempts = append(attempts, attempt{true, base})
		}
		if root {
			attempts = append(attempts, attempt{false, base})
		}
	}
	attempts = append(attempts, attempt{false, 0})
	var failures []string
	for _, a := range attempts {
		s := *sp
		s.Layers = append([]Layer(nil), sp.Layers...)
		why := strings.Join(failures, "; ")
		switch {
		case a.userns:
			s.set(LayerUserNS, InForce, "")
		case p.disabled(LayerUserNS):
			s.set(LayerUserNS, Off, "disabled")
		case why != "":
			s.set(LayerUserNS, Unavailable, why)
		case root:
			s.set(LayerUserNS, NotNeeded, "the caller is root")
		default:
			s.set(LayerUserNS, Unavailable, "disabled")
		}
		for flag, name := range names {
			switch {
			case a.flags&flag != 0:
				s.set(name, InForce, "")
			case p.disabled(name):
				s.set(name, Off, "disabled")
			case why != "":
				s.set(name, Unavailable, why)
			default:
				s.set(name, Unavailable, "needs a user namespace, which is disabled")
			}
		}
		if p.Confine && p.Network {
			s.set(LayerNetNS, Off, "--network: the host's network")
		}
		cmd := exec.Command("/proc/self/exe", string(mustJSON(&s)))
		cmd.Args[0] = argvSupervisor
		cmd.Env = launcherEnv()
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.ExtraFiles = []*os.File{events, ctl}
		attr := &syscall.SysProcAttr{Setpgid: true, Cloneflags: a.flags}
		if a.flags&syscall.CLONE_NEWPID != 0 {
			// The supervisor is the namespace's init: its death ends
			// every process of the run.
			attr.Pdeathsig = syscall.SIGKILL
		}
		if a.userns {
			attr.Cloneflags |= syscall.CLONE_NEWUSER
			if root {
				// Root inside is root outside (it prepares the mounts);
				// module code runs as nobody, the one other user mapped.
				attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: nobody, HostID: nobody, Size: 1}}
				attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: nobody, HostID: nobody, Size: 1}}
				attr.GidMappingsEnableSetgroups = true
			} else {
				attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
				attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
				// The supervisor keeps, across its exec, the capabilities
				// (in its own user namespace) it needs to mount, bring up
				// the loopback and set its hostname.
				attr.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_NET_ADMIN, unix.CAP_SETPCAP, unix.CAP_CHOWN, unix.CAP_DAC_OVERRIDE, unix.CAP_FOWNER, unix.CAP_KILL}
			}
		}
		if cg != nil {
			attr.UseCgroupFD, attr.CgroupFD = true, cg.fd
		}
		cmd.SysProcAttr = attr
		cmd.WaitDelay = 2 * time.Second
		err := cmd.Start()
		if err == nil {
			if cg != nil {
				cg.closeFD()
			}
			*sp = s
			return cmd, cg, nil
		}
		what := "namespaces"
		if a.userns {
			what = "user namespace"
		} else if a.flags == 0 {
			if cg != nil {
				cg.remove()
			}
			return nil, nil, fmt.Errorf("starting the supervisor: %w", err)
		}
		failures = append(failures, fmt.Sprintf("%s: %v", what, unwrapStart(err)))
	}
	return nil, nil, errors.New("unreachable")
}

// unwrapStart turns "fork/exec /proc/self/exe: operation not permitted"
// into "operation not permitted".
func unwrapStart(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// nobody is the user module code runs as when the caller is root.
const nobody = 65534

// Identity is the user and group a confined command runs as: the caller's,
// nobody's when the caller is root, or Policy.RunAs.
func (p Policy) Identity() (uid, gid int) {
	switch {
	case p.RunAs != nil:
		return p.RunAs.UID, p.RunAs.GID
	case p.Confine && os.Geteuid() == 0:
		return nobody, nobody
	}
	return os.Geteuid(), os.Getegid()
}

// prepareWrite makes the writable directory and its WriteDirs on disk,
// owned by the command's user: they are what the command writes where no
// mount namespace gives it a tmpfs instead.
func prepareWrite(p Policy) error {
	uid, gid := p.Identity()
	for _, d := range append([]string{""}, p.WriteDirs...) {
		dir := filepath.Join(p.Write, d)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if uid != os.Geteuid() {
			if err := os.Lchown(dir, uid, gid); err != nil {
				return err
			}
		}
	}
	return nil
}

// launcherEnv is the supervisor's environment: the command's comes in the
// spec. When the launcher is a binary built with the race detector (a
// test's), it would sleep a second at exit by default (atexit_sleep_ms).
func launcherEnv() []string {
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "GORACE=atexit_sleep_ms=0"}
	if v, ok := os.LookupEnv("GORACE"); ok {
		env[1] = "GORACE=" + v
	}
	if v, ok := os.LookupEnv("GOTRACEBACK"); ok {
		env = append(env, "GOTRACEBACK="+v)
	}
	return env
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

func (c *Cmd) readEvents(r *os.File) {
	defer c.events.Done()
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := readLine(br, 8<<20)
		if len(line) > 0 {
			var m message
			if json.Unmarshal(line, &m) == nil {
				switch {
				case m.Report != nil:
					c.mu.Lock()
					c.report = m.Report
					c.mu.Unlock()
				case m.Line != nil:
					c.tail.Write([]byte(*m.Line + "\n"))
					if c.OnLine != nil {
						c.OnLine([]byte(*m.Line))
					}
				case m.Exit != nil:
					c.mu.Lock()
					c.exit = m.Exit
					c.mu.Unlock()
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one line, without its newline, keeping at most max bytes
// of it.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= max {
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), err
	}
}

// Report returns the isolation report once the supervisor has sent it
// (after Start, before the command runs module code), or nil.
func (c *Cmd) Report() *Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.report
}

// Pid is the launcher's process id.
func (c *Cmd) Pid() int {
	if c.launcher == nil || c.launcher.Process == nil {
		return 0
	}
	return c.launcher.Process.Pid
}

// Quit asks the supervisor to send the command SIGQUIT (a Go program
// prints every goroutine's stack and exits).
func (c *Cmd) Quit() { c.control("quit\n") }

// Kill ends the command and every process of the run now.
func (c *Cmd) Kill() {
	c.mu.Lock()
	c.killed = true
	c.mu.Unlock()
	c.control("kill\n")
	if c.killCh != nil {
		c.killOnce.Do(func() { close(c.killCh) })
	}
}

func (c *Cmd) control(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctl != nil && !c.ctlClosed {
		if _, err := c.ctl.WriteString(s); err != nil {
			// The supervisor is gone or not listening: make sure.
			if c.launcher.Process != nil {
				c.launcher.Process.Kill()
			}
		}
	}
}

func (c *Cmd) outputLimit() {
	go c.Kill()
}

// Wait waits for the run to end and says how it ended. The error is for
// a launcher that could not run the command at all.
func (c *Cmd) Wait() (*Exit, error) {
	if c.launcher == nil {
		return nil, errors.New("confine: not started")
	}
	done := make(chan error, 1)
	go func() { done <- c.launcher.Wait() }()
	var waitErr error
	select {
	case waitErr = <-done:
	case <-c.killCh:
		select {
		case waitErr = <-done:
		case <-time.After(3 * time.Second):
			// The supervisor did not end within its grace: end it.
			c.launcher.Process.Kill()
			waitErr = <-done
		}
	}
	c.events.Wait()
	c.mu.Lock()
	if c.ctl != nil {
		c.ctl.Close()
		c.ctlClosed = true
	}
	ex := c.exit
	report := c.report
	killed := c.killed
	c.mu.Unlock()
	if ex == nil {
		ex = &Exit{Code: -1, Error: "the supervisor ended without a report"}
		if ws, ok := c.launcher.ProcessState.Sys().(syscall.WaitStatus); ok {
			if ws.Signaled() {
				ex.Signal = ws.Signal().String()
				ex.Error = fmt.Sprintf("the supervisor was killed by %v", ws.Signal())
			} else {
				ex.Code = ws.ExitStatus()
			}
		}
		if waitErr != nil && !errors.Is(waitErr, exec.ErrWaitDelay) {
			var xe *exec.ExitError
			if !errors.As(waitErr, &xe) {
				ex.Error = waitErr.Error()
			}
		}
	}
	if report != nil {
		ex.Report = *report
	}
	ex.Killed = ex.Killed || killed
	if c.cg != nil {
		if mem, procs := c.cg.hits(); mem || procs {
			if mem {
				ex.Limits = appendOnce(ex.Limits, LimitMemory)
			}
			if procs {
				ex.Limits = appendOnce(ex.Limits, LimitProcesses)
			}
		}
		c.cg.remove()
	}
	if c.output.hit() {
		ex.Limits = appendOnce(ex.Limits, LimitOutput)
	}
	// What the Go runtime says when a limit stops it.
	tail := c.tail.String()
	if c.Policy.Confine && (strings.Contains(tail, "runtime: out of memory") || strings.Contains(tail, "fatal error: out of memory") ||
		strings.Contains(tail, "fatal error: runtime: cannot allocate memory")) {
		ex.Limits = appendOnce(ex.Limits, LimitMemory)
	}
	if c.Policy.Confine && (strings.Contains(tail, "failed to create new OS thread") ||
		strings.Contains(tail, "fork/exec") && strings.Contains(tail, "resource temporarily unavailable")) {
		ex.Limits = appendOnce(ex.Limits, LimitProcesses)
	}
	if c.Policy.Confine && strings.Contains(tail, "no space left on device") {
		ex.Limits = appendOnce(ex.Limits, LimitDisk)
	}
	return ex, nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// outputCounter counts the output of a run against its limit.
type outputCounter struct {
	mu      sync.Mutex
	limit   int64
	n       int64
	over    bool
	onLimit func()
}

// take accounts for n bytes and says how many of them may pass.
func (o *outputCounter) take(n int) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.over {
		return 0
	}
	if o.limit > 0 && o.n+int64(n) > o.limit {
		ok := int(o.limit - o.n)
		o.n = o.limit
		o.over = true
		if o.onLimit != nil {
			o.onLimit()
		}
		return ok
	}
	o.n += int64(n)
	return n
}

func (o *outputCounter) hit() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.over
}

// limitedWriter passes output on within the run's limit and swallows the
// rest (the run is being stopped).
type limitedWriter struct {
	w    io.Writer
	c    *outputCounter
	tail *tailBuffer
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	n := l.c.take(len(p))
	if l.tail != nil {
		l.tail.Write(p[:n])
	}
	if l.w != nil && n > 0 {
		l.w.Write(p[:n])
	}
	return len(p), nil
}

// tailBuffer keeps the first 16 KiB and the last 64 KiB written to it:
// a Go program's fatal error comes before its goroutines' stacks.
type tailBuffer struct {
	mu   sync.Mutex
	head []byte
	buf  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k := min(16<<10-len(t.head), len(p)); k > 0 {
		t.head = append(t.head, p[:k]...)
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > 64<<10 {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-64<<10:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.head) + "\n" + string(t.buf)
}
