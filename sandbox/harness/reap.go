package harness

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a process a module left behind.
type proc struct {
	PID int    `json:"pid"`
	Cmd string `json:"cmd"`
}

// reapStrays reports the processes still descending from this one, kills
// them and waits for them.
func reapStrays() []proc {
	strays := descendants(os.Getpid())
	if len(strays) == 0 {
		return nil
	}
	emit(event{Event: "stray", Stray: strays})
	for _, p := range strays {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err != nil { // ECHILD: nothing left to wait for
			break
		}
		if pid == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return strays
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []proc {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], id)
	}
	var out []proc
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
			out = append(out, proc{PID: c, Cmd: strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))})
			walk(c)
		}
	}
	walk(pid)
	return out
}

func becomeSubreaper() {
	const prSetChildSubreaper = 36
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
}
