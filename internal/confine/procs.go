package confine

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"
)

// procInfo is what the supervisor reads of a process of the run.
type procInfo struct {
	pid, ppid int
	threads   int
	memory    int64 // resident anonymous memory and shared memory, bytes
	zombie    bool
}

// readProc reads /proc/<pid>/status.
func readProc(pid int) (procInfo, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return procInfo{}, false
	}
	p := procInfo{pid: pid}
	for _, line := range bytes.Split(data, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(v))
		if len(f) == 0 {
			continue
		}
		switch string(k) {
		case "State":
			p.zombie = f[0] == "Z" || f[0] == "X"
		case "PPid":
			p.ppid, _ = strconv.Atoi(f[0])
		case "Threads":
			p.threads, _ = strconv.Atoi(f[0])
		case "RssAnon", "RssShmem":
			kb, _ := strconv.ParseInt(f[0], 10, 64)
			p.memory += kb << 10
		}
	}
	return p, true
}

// selfPid is this process's pid as /proc names it, which differs from
// getpid in a pid namespace whose /proc is the host's.
func selfPid() int {
	s, err := os.Readlink("/proc/self")
	if err != nil {
		return os.Getpid()
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return os.Getpid()
	}
	return n
}

// descendants lists the live processes below pid, from /proc. Orphans of
// the run are reparented to the supervisor (the pid namespace's init, or
// a child subreaper), so this is every process of the run. A process
// whose parent is gone is read again: it is being reparented, and the
// /proc listing is not a snapshot.
func descendants(pid int) []procInfo {
	entries, _ := os.ReadDir("/proc")
	procs := map[int]procInfo{}
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil || id == pid {
			continue
		}
		if p, ok := readProc(id); ok {
			procs[id] = p
		}
	}
	below := map[int]bool{}
	var isBelow func(p procInfo, depth int) bool
	isBelow = func(p procInfo, depth int) bool {
		if v, ok := below[p.pid]; ok {
			return v
		}
		v := false
		for try := 0; try < 20 && depth < 256; try++ {
			if p.ppid == pid {
				v = true
				break
			}
			if p.ppid <= 1 {
				break
			}
			parent, ok := procs[p.ppid]
			if !ok {
				parent, ok = readProc(p.ppid)
			}
			if ok {
				v = isBelow(parent, depth+1)
				break
			}
			// The parent just died: read the process again once it is
			// reparented.
			time.Sleep(200 * time.Microsecond)
			if p, ok = readProc(p.pid); !ok {
				break
			}
		}
		below[p.pid] = v
		return v
	}
	var out []procInfo
	for _, p := range procs {
		if isBelow(p, 0) && !p.zombie {
			out = append(out, p)
		}
	}
	return out
}

// cmdline is a process's command line, its arguments separated by spaces.
func cmdline(pid int) string {
	data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(strings.ReplaceAll(string(data), "\x00", " "))
}

// subtree lists the processes below pid by following the children files
// of each thread (/proc/<pid>/task/<tid>/children): only the run's own
// processes are read, quickly enough to keep up with one that forks and
// exits in a loop. ok is false where the kernel has no children files.
func subtree(pid int) (pids []int, ok bool) {
	seen := map[int]bool{}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		tasks, err := os.ReadDir("/proc/" + strconv.Itoa(p) + "/task")
		if err != nil {
			continue // it has just died: its children come to the supervisor
		}
		for _, t := range tasks {
			data, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/task/" + t.Name() + "/children")
			if err != nil {
				if p == pid && errors.Is(err, os.ErrNotExist) {
					return nil, false
				}
				continue
			}
			for _, f := range strings.Fields(string(data)) {
				c, err := strconv.Atoi(f)
				if err == nil && !seen[c] {
					seen[c] = true
					pids = append(pids, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return pids, true
}

// alive tells whether a process exists and is not a zombie.
func alive(pid int) bool {
	p, ok := readProc(pid)
	return ok && !p.zombie
}
