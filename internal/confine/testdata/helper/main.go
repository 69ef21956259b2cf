// Command helper is the confined command of the confine package's tests:
// it does what its arguments say and prints "ok" or "refused: <error>".
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() { os.Exit(helperMain(os.Args[1:])) }

// helperMain is the confined command: it does what its arguments say and
// prints "ok" or "refused: <error>" for each step.
func helperMain(args []string) int {
	say := func(err error) {
		if err != nil {
			fmt.Printf("refused: %v\n", err)
		} else {
			fmt.Println("ok")
		}
	}
	switch args[0] {
	case "write":
		say(os.WriteFile(args[1], []byte("x"), 0o644))
	case "read":
		_, err := os.ReadFile(args[1])
		say(err)
	case "list":
		_, err := os.ReadDir(args[1])
		say(err)
	case "chmod":
		say(os.Chmod(args[1], 0o777))
	case "chown":
		say(os.Chown(args[1], os.Getuid(), os.Getgid()))
	case "setxattr":
		say(syscall.Setxattr(args[1], "user.modls", []byte("x"), 0))
	case "utimes":
		say(os.Chtimes(args[1], time.Unix(1, 0), time.Unix(1, 0)))
	case "dial":
		c, err := net.DialTimeout("tcp", args[1], 5*time.Second)
		if err == nil {
			c.Close()
		}
		say(err)
	case "loopback":
		// A server of the command's own, on its loopback.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			go func() {
				if c, err := l.Accept(); err == nil {
					c.Close()
				}
			}()
			var c net.Conn
			if c, err = net.DialTimeout("tcp", l.Addr().String(), 5*time.Second); err == nil {
				c.Close()
			}
			l.Close()
		}
		say(err)
	case "kill":
		pid, _ := strconv.Atoi(args[1])
		say(syscall.Kill(pid, syscall.SIGKILL))
	case "ptrace":
		pid, _ := strconv.Atoi(args[1])
		say(syscall.PtraceAttach(pid))
	case "channel":
		// A line on the command's channel, then one on every descriptor
		// that might be the launcher's: the parent's.
		fmt.Fprintln(os.NewFile(3, "channel"), `{"from": "the command"}`)
		f, err := os.OpenFile("/proc/"+strconv.Itoa(os.Getppid())+"/fd/3", os.O_WRONLY, 0)
		if err == nil {
			fmt.Fprintln(f, `{"exit": {"code": 0, "error": "forged"}}`)
			f.Close()
		}
		say(err)
	case "exe":
		// The supervisor's executable is the program that runs modls.
		f, err := os.OpenFile("/proc/"+strconv.Itoa(os.Getppid())+"/exe", os.O_WRONLY, 0)
		if err == nil {
			f.Close()
		}
		say(err)
	case "hop":
		defer waitHops("hopper-"+args[1], 5)
		// A process that leaves the session and changes pid every 20ms
		// with an empty environment, in /.
		cmd := exec.Command("/bin/sh", "-c", `cd /; exec env -i HOP="$HOP" setsid sh -c "$HOP" hopper-`+args[1])
		cmd.Env = []string{`HOP=sleep 0.02; (setsid sh -c "$HOP" "$0" &); exit 0`}
		say(cmd.Start())
	case "alloc":
		mb, _ := strconv.Atoi(args[1])
		var keep [][]byte
		for i := 0; i < mb; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = 1
			}
			keep = append(keep, b)
		}
		fmt.Println("allocated", len(keep))
	case "fork":
		n, _ := strconv.Atoi(args[1])
		started := 0
		var err error
		for ; started < n; started++ {
			if err = exec.Command("/bin/sleep", "60").Start(); err != nil {
				break
			}
		}
		fmt.Printf("started %d: %v\n", started, err)
	case "fill":
		f, err := os.Create(args[1])
		if err == nil {
			buf := make([]byte, 1<<20)
			for err == nil {
				_, err = f.Write(buf)
			}
			f.Close()
		}
		say(err)
	case "spread":
		// Files of 1 MiB each, none near the per-file limit, until a
		// write fails or 200 are written.
		var err error
		n := 0
		for ; n < 200 && err == nil; n++ {
			err = os.WriteFile(fmt.Sprintf("%s.%d", args[1], n), make([]byte, 1<<20), 0o600)
			time.Sleep(20 * time.Millisecond)
		}
		if err == nil {
			fmt.Println("wrote", n)
			return 0
		}
		say(err)
	case "flood":
		buf := bytes.Repeat([]byte("flood\n"), 1<<14)
		for {
			if _, err := os.Stdout.Write(buf); err != nil {
				return 1
			}
		}
	case "sleep":
		fmt.Println("sleeping")
		time.Sleep(time.Hour)
	case "tree":
		// A child that leaves the process group and the session.
		cmd := exec.Command("setsid", "sh", "-c", "sleep 3600; :", "tree-"+args[1])
		say(cmd.Start())
		fmt.Println("sleeping")
		time.Sleep(time.Hour)
	default:
		fmt.Println("unknown helper action", args[0])
		return 2
	}
	return 0
}

// waitHops waits for n processes with marker in their command line to
// have existed, one after the other.
func waitHops(marker string, n int) {
	seen := map[int]bool{}
	for len(seen) < n {
		for _, pid := range withArg(marker) {
			seen[pid] = true
		}
		time.Sleep(time.Millisecond)
	}
}

// withArg lists the live processes whose command line holds s.
func withArg(s string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if strings.Contains(string(cmd), s) && !bytes.Contains(stat, []byte(") Z ")) {
			out = append(out, pid)
		}
	}
	return out
}
