package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Prefix starts the name of every sandbox directory.
const Prefix = "modls-sandbox-"

// ownerFile, in each sandbox directory, names the process that owns it:
// "<pid> <start time in clock ticks>", so that a reused pid is not taken for
// the owner.
const ownerFile = "owner"

// markerEnv is set, to the sandbox directory, in the environment of every
// process a sandbox starts; the processes a killed run leaves behind are
// found by it.
const markerEnv = "MODLS_SANDBOX"

// sandboxDir is one sandbox:
//
//	owner      the owning process
//	src/       the copy: go.mod, go.sum and the packages the set needs
//	bin/       the harness and test binaries
//	run/       the harness's plan
//	data/      the only directory module code writes: the SQLite
//	           database, home/ ($HOME) and tmp/ ($TMPDIR); in a mount
//	           namespace a tmpfs of its own, never written on disk
//	buildtmp/  GOTMPDIR of the builds
//
// Module code reads src, bin and run (read-only) and writes data.
type sandboxDir struct {
	dir string
}

func (s *sandboxDir) path(elem ...string) string {
	return filepath.Join(append([]string{s.dir}, elem...)...)
}

// create makes a sandbox under base for module code that runs as uid and
// gid: a caller running as root makes it readable by that group alone.
func create(base string, uid, gid int) (*sandboxDir, error) {
	dir, err := os.MkdirTemp(base, Prefix)
	if err != nil {
		return nil, err
	}
	// Resolve symbolic links so that Landlock and /proc comparisons see
	// the same path.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	s := &sandboxDir{dir: dir}
	owner := fmt.Sprintf("%d %d\n", os.Getpid(), startTime(os.Getpid()))
	if err := os.WriteFile(s.path(ownerFile), []byte(owner), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for _, d := range []string{"src", "bin", "run", "data", "buildtmp"} {
		if err := os.Mkdir(s.path(d), 0o755); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if uid != os.Geteuid() {
		// Where no mount namespace gives module code a view of its own,
		// it reads the copy here, as another user.
		if err := os.Chown(dir, -1, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chmod(dir, 0o750); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	return s, nil
}

// release marks a kept sandbox as owned by no one: the next sweep removes it.
func (s *sandboxDir) release() { os.WriteFile(s.path(ownerFile), []byte("kept\n"), 0o644) }

// remove deletes the sandbox, retrying briefly while dying processes
// release it.
func (s *sandboxDir) remove() {
	for i := 0; i < 20; i++ {
		makeWritable(s.dir)
		if err := os.RemoveAll(s.dir); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// makeWritable lets RemoveAll delete files a test made read-only.
func makeWritable(dir string) {
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
}

// killAll kills every process started in this sandbox that is still alive.
func (s *sandboxDir) killAll() { killMarked(s.dir) }

// sweep removes the sandboxes under base whose owner is gone (a run that
// was killed), with the processes they left behind. A kept sandbox is
// swept as well: it was kept for one look.
func sweep(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), Prefix) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if ownerAlive(dir) {
			continue
		}
		killMarked(dir)
		s := &sandboxDir{dir: dir}
		s.remove()
	}
}

func ownerAlive(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		// A directory being created has no owner file for a moment; one
		// older than a minute was never finished.
		st, err := os.Stat(dir)
		return err == nil && time.Since(st.ModTime()) < time.Minute
	}
	f := strings.Fields(string(data))
	if len(f) != 2 {
		return false
	}
	pid, _ := strconv.Atoi(f[0])
	start, _ := strconv.ParseUint(f[1], 10, 64)
	if pid <= 0 || syscall.Kill(pid, 0) == syscall.ESRCH {
		return false
	}
	return startTime(pid) == start
}

// startTime is a process's start time in clock ticks since boot, from
// /proc/<pid>/stat (field 22), or 0.
func startTime(pid int) uint64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return 0
	}
	n, _ := strconv.ParseUint(f[19], 10, 64)
	return n
}

// killMarked kills the processes whose environment carries the marker of
// dir or whose working directory is inside dir.
func killMarked(dir string) {
	for _, pid := range markedProcesses(dir) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

func markedProcesses(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	marker := []byte(markerEnv + "=" + dir + "\x00")
	self := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if cwd, err := os.Readlink("/proc/" + e.Name() + "/cwd"); err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+"/")) {
			out = append(out, pid)
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(append(env, 0), marker) {
			out = append(out, pid)
		}
	}
	return out
}
