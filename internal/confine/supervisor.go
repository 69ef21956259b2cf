package confine

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// supervisor is the launcher's first stage, the parent of the command and
// the init of the run's pid namespace (or a child subreaper without one).
// It never runs module code. It holds the runner's descriptors: the
// events it writes (the isolation report, the command's channel lines,
// how the run ended) and the control it reads (quit, kill, or the end of
// the runner).
type supervisor struct {
	sp     spec
	events *os.File
	emitMu sync.Mutex
	self   int // as /proc names it
	pidns  bool
	tmpfs  bool // Policy.Write is a tmpfs of the view

	mu       sync.Mutex
	target   int
	exited   bool
	killed   bool
	limits   []string
	peak     int
	peakMem  int64
	diskUsed int64
}

func supervise(arg string) int {
	events, ctl := os.NewFile(3, "events"), os.NewFile(4, "control")
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	s := &supervisor{events: events}
	if err := json.Unmarshal([]byte(arg), &s.sp); err != nil {
		s.emit(message{Exit: &Exit{Code: -1, Error: "modls confine: " + err.Error()}})
		return 126
	}
	return s.run(ctl)
}

func (s *supervisor) emit(m message) {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	b, _ := json.Marshal(m)
	s.events.Write(append(b, '\n'))
}

// fail reports that the command could not run.
func (s *supervisor) fail(format string, args ...any) int {
	r := s.report()
	s.emit(message{Report: &r})
	s.emit(message{Exit: &Exit{Code: -1, Error: fmt.Sprintf(format, args...), Report: r}})
	return 126
}

func (s *supervisor) report() Report {
	r := Report{UID: s.sp.UID, GID: s.sp.GID, Network: s.sp.Policy.Network, Limits: s.sp.Policy.Limits}
	for _, name := range Layers {
		for _, l := range s.sp.Layers {
			if l.Name == name {
				r.Layers = append(r.Layers, l)
			}
		}
	}
	return r
}

func (s *supervisor) run(ctl *os.File) int {
	p := s.sp.Policy
	// Nothing of the run may read this process's memory or descriptors
	// through /proc or ptrace (its events pipe, its executable).
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	s.pidns = s.sp.holds(LayerPIDNS)
	if s.pidns {
		s.sp.set(LayerSupervisor, InForce, "init of the run's pid namespace: when it ends, the kernel ends every process of the run")
	} else {
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
		s.sp.set(LayerSupervisor, InForce, "a child subreaper that kills every descendant at the end (no pid namespace: a process that kills it first outlives the run)")
	}
	// The paths to remove at the end, held by their parent directories:
	// the view hides the host's paths.
	type removal struct {
		root *os.Root
		name string
	}
	var removals []removal
	for _, path := range p.Remove {
		if r, err := os.OpenRoot(filepath.Dir(path)); err == nil {
			removals = append(removals, removal{r, filepath.Base(path)})
		}
	}
	mountns := s.sp.holds(LayerMountNS)
	switch {
	case p.Confine && mountns:
		procErr, err := view(p, s.sp.UID, s.sp.GID)
		if err != nil {
			if p.Strict {
				return s.fail("strict isolation: the mount namespace's view: %v", err)
			}
			// The view is this process's own; the command would see a
			// half-built one. Without it, it sees the host through
			// Landlock, as without a mount namespace.
			return s.fail("building the sandbox's view of the filesystem: %v", err)
		}
		s.tmpfs = true
		detail := "the command sees only the system's programs and libraries, the copy (read-only) and its writable directory"
		if procErr != nil {
			detail += fmt.Sprintf("; /proc is the host's, read-only (mounting one for the pid namespace: %v)", procErr)
		}
		s.sp.set(LayerMountNS, InForce, detail)
		s.sp.set(LayerDiskLimit, InForce, fmt.Sprintf("%s is a tmpfs of %s", p.Write, FormatSize(p.Limits.Disk)))
	case p.Confine:
		s.sp.set(LayerDiskLimit, Unavailable, fmt.Sprintf("no mount namespace for a tmpfs: the supervisor measures %s and stops the run past %s", p.Write, FormatSize(p.Limits.Disk)))
	case s.pidns && mountns:
		if err := mountProc(); err != nil {
			s.sp.set(LayerPIDNS, InForce, fmt.Sprintf("with the host's /proc (%v)", err))
		}
	}
	if p.Confine && s.sp.holds(LayerNetNS) {
		if err := loopbackUp(); err != nil {
			s.sp.set(LayerNetNS, InForce, fmt.Sprintf("no network at all: bringing up loopback: %v", err))
		} else {
			s.sp.set(LayerNetNS, InForce, "only the namespace's own loopback")
		}
	}
	if p.Confine && s.sp.holds(LayerIPCNS) {
		syscall.Sethostname([]byte("modls-sandbox"))
	}

	// After the view: /proc may be the pid namespace's now.
	s.self = selfPid()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return s.fail("%v", err)
	}
	files := []*os.File{devnull, os.Stdout, os.Stderr}
	var chanR, chanW, statusR, statusW *os.File
	if p.Channel {
		if chanR, chanW, err = os.Pipe(); err != nil {
			return s.fail("%v", err)
		}
	}
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	path, argv, env := s.sp.Path, s.sp.Args, s.sp.Env
	if p.Confine {
		if statusR, statusW, err = os.Pipe(); err != nil {
			return s.fail("%v", err)
		}
		files = append(files, chanW, statusW)
		path, argv = "/proc/self/exe", []string{argvRestrict, string(mustJSON(&s.sp))}
		if os.Getuid() != s.sp.UID {
			attr.Credential = &syscall.Credential{Uid: uint32(s.sp.UID), Gid: uint32(s.sp.GID), Groups: []uint32{}}
		}
	}
	// The command must not inherit this process's capabilities: the fork
	// copies this thread, whose ambient set is cleared first. The thread
	// stays locked, so no other goroutine runs on it.
	runtime.LockOSThread()
	unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Dir: s.sp.Dir, Env: env, Files: files, Sys: attr})
	devnull.Close()
	if chanW != nil {
		chanW.Close()
	}
	if statusW != nil {
		statusW.Close()
	}
	if err != nil {
		return s.fail("starting %s: %v", s.sp.Path, err)
	}
	s.mu.Lock()
	s.target = proc.Pid
	s.mu.Unlock()

	var startErr string
	if statusR != nil {
		dec := json.NewDecoder(statusR)
		for {
			var st status
			if dec.Decode(&st) != nil {
				break
			}
			if st.Layer != nil {
				s.sp.set(st.Layer.Name, st.Layer.Status, st.Layer.Detail)
			}
			if st.Error != "" {
				startErr = st.Error
			}
		}
		statusR.Close()
	}
	if !s.pidns && s.sp.holds(LayerLandlockScope) {
		s.sp.set(LayerSupervisor, InForce, "a child subreaper that kills every descendant at the end; no pid namespace, but Landlock's signal scoping keeps the run from killing it")
	}
	report := s.report()
	s.emit(message{Report: &report})

	var relay sync.WaitGroup
	if chanR != nil {
		relay.Add(1)
		go func() {
			defer relay.Done()
			s.relay(chanR)
		}()
	}
	go s.control(ctl)
	stop := make(chan struct{})
	go s.watch(stop)

	var ws syscall.WaitStatus
	for {
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid == proc.Pid {
			break
		}
	}
	s.mu.Lock()
	s.exited = true
	s.mu.Unlock()
	close(stop)
	s.sample()

	ex := &Exit{}
	switch {
	case ws.Signaled():
		ex.Code, ex.Signal = -1, ws.Signal().String()
	default:
		ex.Code = ws.ExitStatus()
	}
	strays, ok := subtree(s.self)
	if !ok {
		for _, p := range descendants(s.self) {
			strays = append(strays, p.pid)
		}
	}
	reported := map[int]bool{}
	for _, pid := range strays {
		if alive(pid) {
			reported[pid] = true
			ex.Strays = append(ex.Strays, Proc{PID: pid, Cmd: cmdline(pid)})
		}
	}
	// A process that forks and exits between the walk and the kill is
	// found by the kill's own walks: it is a stray all the same.
	for _, p := range s.killAll(true) {
		if !reported[p.PID] {
			reported[p.PID] = true
			ex.Strays = append(ex.Strays, p)
		}
	}
	if chanR != nil {
		done := make(chan struct{})
		go func() { relay.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	for _, r := range removals {
		r.root.RemoveAll(r.name)
		r.root.Close()
	}
	s.mu.Lock()
	ex.Limits, ex.PeakTasks, ex.PeakMemory, ex.DiskUsed, ex.Killed = s.limits, s.peak, s.peakMem, s.diskUsed, s.killed
	s.mu.Unlock()
	ex.Error = startErr
	ex.Report = s.report()
	s.emit(message{Exit: ex})
	if ex.Code < 0 {
		return 128 + int(ws.Signal())
	}
	return ex.Code
}

// relay passes the command's channel lines on to the runner, each line
// whole and at most 64 KiB; a flood past 10,000 lines is drained and
// dropped.
func (s *supervisor) relay(r *os.File) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 0; ; n++ {
		line, err := readLine(br, 64<<10)
		if len(line) > 0 && n < 10000 {
			l := string(line)
			s.emit(message{Line: &l})
		}
		if err != nil {
			return
		}
	}
}

// control follows the runner's requests: "quit" sends the command
// SIGQUIT; "kill" and the end of the runner (its end of the pipe closes,
// whatever killed it) end the run.
func (s *supervisor) control(ctl *os.File) {
	br := bufio.NewReader(ctl)
	for {
		line, err := br.ReadString('\n')
		switch strings.TrimSpace(line) {
		case "quit":
			s.mu.Lock()
			if !s.exited {
				syscall.Kill(s.target, syscall.SIGQUIT)
			}
			s.mu.Unlock()
			continue
		case "kill":
			s.mu.Lock()
			s.killed = true
			s.mu.Unlock()
			s.killAll(false)
			continue
		}
		if err != nil {
			s.mu.Lock()
			s.killed = true
			s.mu.Unlock()
			s.killAll(false)
			return
		}
	}
}

// watch samples the run every 100ms.
func (s *supervisor) watch(stop <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		s.sample()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// sample measures the run: processes and threads, memory, disk. Past the
// memory limit (without a cgroup to enforce it) or the disk limit
// (without a tmpfs to enforce it) it ends the run.
func (s *supervisor) sample() {
	p := s.sp.Policy
	tasks, mem := 0, int64(0)
	for _, d := range descendants(s.self) {
		tasks += d.threads
		mem += d.memory
	}
	if s.sp.UID == os.Getuid() {
		// The kernel counts this process's threads against the same
		// user's limit.
		if me, ok := readProc(s.self); ok {
			tasks += me.threads
		}
	}
	var used int64
	if p.Confine && p.Write != "" {
		if s.tmpfs {
			var st unix.Statfs_t
			if unix.Statfs(p.Write, &st) == nil {
				used = int64(st.Blocks-st.Bfree) * st.Bsize
			}
		} else {
			used = diskUsage(p.Write)
		}
	}
	s.mu.Lock()
	s.peak = max(s.peak, tasks)
	s.peakMem = max(s.peakMem, mem)
	s.diskUsed = used
	var kill bool
	if p.Confine && tasks >= p.Limits.Processes {
		s.limits = appendOnce(s.limits, LimitProcesses)
	}
	if p.Confine && s.sp.Cgroup == "" && mem > p.Limits.Memory {
		s.limits = appendOnce(s.limits, LimitMemory)
		kill = true
	}
	if p.Confine && used > 0 && used >= p.Limits.Disk-64<<10 {
		s.limits = appendOnce(s.limits, LimitDisk)
		// Without a tmpfs, RLIMIT_FSIZE holds each file to the limit
		// and the command sees its write refused; only a total past
		// the limit, which takes several files, ends the run.
		kill = kill || !s.tmpfs && used > p.Limits.Disk
	}
	s.mu.Unlock()
	if kill {
		s.killAll(false)
	}
}

// diskUsage adds up the sizes of the files under dir.
func diskUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// killAll ends every process of the run but this one. As the pid
// namespace's init it signals them all at once; as a subreaper it walks
// its subtree, killing what it finds, as long as anything is left. With
// reap (once the command itself is reaped) it reaps them too, and ends
// only when it has no child at all: every orphan of the run is
// reparented to the supervisor, so no child means no process of the run,
// however fast one forks and exits. With reap it returns the live
// processes it found.
func (s *supervisor) killAll(reap bool) (found []Proc) {
	seen := map[int]bool{}
	for i := 0; i < 5000; i++ {
		pids, ok := subtree(s.self)
		if !ok {
			pids = nil
			for _, p := range descendants(s.self) {
				pids = append(pids, p.pid)
			}
		}
		for _, pid := range pids {
			if reap && !seen[pid] && alive(pid) {
				seen[pid] = true
				found = append(found, Proc{PID: pid, Cmd: cmdline(pid)})
			}
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if s.pidns {
			syscall.Kill(-1, syscall.SIGKILL)
		}
		if !reap {
			if len(pids) == 0 {
				return nil
			}
		} else {
			for {
				pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
				if err == syscall.ECHILD {
					return found
				}
				if pid <= 0 || err != nil {
					break
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	return found
}
