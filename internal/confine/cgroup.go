package confine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// cgroup is a cgroup v2 of its own for one run, where the caller's cgroup
// delegates the memory and pids controllers to its children: memory.max
// and pids.max bound the run as a whole, and cgroup.kill ends it.
type cgroup struct {
	dir string
	fd  int
}

var cgroupSeq atomic.Int64

// newCgroup makes the run's cgroup under the caller's, or says why it
// cannot.
func newCgroup(l Limits) (*cgroup, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	var own string
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok {
			own = rest
		}
	}
	mount := cgroup2Mount()
	if own == "" || mount == "" {
		return nil, errors.New("no cgroup v2 hierarchy")
	}
	parent := filepath.Join(mount, own)
	ctrl, _ := os.ReadFile(filepath.Join(parent, "cgroup.controllers"))
	sub, _ := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control"))
	for _, c := range []string{"memory", "pids"} {
		if !hasField(sub, c) {
			return nil, fmt.Errorf("cgroup v2 %s does not delegate the %s controller to its children (cgroup.controllers: %q, cgroup.subtree_control: %q)",
				parent, c, strings.TrimSpace(string(ctrl)), strings.TrimSpace(string(sub)))
		}
	}
	dir := filepath.Join(parent, fmt.Sprintf("modls-confine-%d-%d", os.Getpid(), cgroupSeq.Add(1)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cgroup v2 %s is not writable: %v", parent, err)
	}
	g := &cgroup{dir: dir, fd: -1}
	for file, value := range map[string]string{
		"memory.max":      strconv.FormatInt(l.Memory, 10),
		"memory.swap.max": "0",
		"pids.max":        strconv.Itoa(l.Processes),
	} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644); err != nil && file != "memory.swap.max" {
			g.remove()
			return nil, fmt.Errorf("cgroup v2 %s: %v", file, err)
		}
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		g.remove()
		return nil, err
	}
	g.fd = fd
	return g, nil
}

func hasField(data []byte, f string) bool {
	for _, x := range strings.Fields(string(data)) {
		if x == f {
			return true
		}
	}
	return false
}

// cgroup2Mount finds where the cgroup v2 hierarchy is mounted.
func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options ... - fstype source ...
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		if fields := strings.Fields(post); len(fields) > 0 && fields[0] == "cgroup2" {
			if pf := strings.Fields(pre); len(pf) >= 5 {
				return pf[4]
			}
		}
	}
	return ""
}

func (g *cgroup) closeFD() {
	if g.fd >= 0 {
		syscall.Close(g.fd)
		g.fd = -1
	}
}

// hits reads whether the run hit memory.max or pids.max.
func (g *cgroup) hits() (memory, procs bool) {
	return eventCount(filepath.Join(g.dir, "memory.events"), "oom_kill") > 0,
		eventCount(filepath.Join(g.dir, "pids.events"), "max") > 0
}

func eventCount(file, key string) int {
	data, _ := os.ReadFile(file)
	for _, line := range bytes.Split(data, []byte("\n")) {
		if k, v, ok := bytes.Cut(line, []byte(" ")); ok && string(k) == key {
			n, _ := strconv.Atoi(string(v))
			return n
		}
	}
	return 0
}

// remove ends whatever is left in the cgroup and removes it.
func (g *cgroup) remove() {
	g.closeFD()
	os.WriteFile(filepath.Join(g.dir, "cgroup.kill"), []byte("1"), 0o644)
	for i := 0; i < 100; i++ {
		if err := os.Remove(g.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
