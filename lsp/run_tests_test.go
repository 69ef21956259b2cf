package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/modls/modls/internal/testbin"
)

// TestUnitTestLensEndsEverything runs the "run test" lens of a test that
// hangs (after starting a process that leaves its session) in a real
// modls serve, and ends the run three ways: $/cancelRequest, shutdown and
// exit, and the editor closing the server's standard input. Each time,
// within a second, no test binary, no go process, no process the test
// started and no go-build directory is left.
func TestUnitTestLensEndsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("builds modls and runs go test")
	}
	bin := testbin.Modls(t)
	for _, how := range []string{"cancel", "shutdown", "stdin closed"} {
		t.Run(how, func(t *testing.T) {
			nonce := fmt.Sprintf("hang%d", time.Now().UnixNano())
			ws := t.TempDir()
			writeFiles(t, ws, map[string]string{
				"go.mod": "module example.com/" + nonce + "\n\ngo 1.26\n",
				nonce + "/hang_test.go": `package ` + nonce + `

import (
	"fmt"
	"os/exec"
	"testing"
)

func TestHangs(t *testing.T) {
	if err := exec.Command("setsid", "sh", "-c", "sleep 3600; :", "child-` + nonce + `").Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Println("hanging")
	select {}
}
`,
			})
			tmp := t.TempDir()
			srv := startServe(t, bin, ws, tmp)
			done := srv.callAsync("workspace/executeCommand", map[string]any{
				"command":   "modls.runTests",
				"arguments": []any{map[string]string{"dir": filepath.Join(ws, nonce), "test": "TestHangs"}},
			})
			// The test binary runs, and has started its child.
			waitUntil(t, "the test binary and its child", 3*time.Minute, func() bool {
				return len(pidsWith(nonce+".test")) > 0 && len(pidsWith("child-"+nonce)) > 0
			})
			procs := append(append(pidsWith(nonce+".test"), pidsWith("child-"+nonce)...), goProcesses(filepath.Join(ws, nonce))...)
			if len(goProcesses(filepath.Join(ws, nonce))) == 0 {
				t.Fatalf("no go process runs in %s", filepath.Join(ws, nonce))
			}
			start := time.Now()
			switch how {
			case "cancel":
				srv.notify("$/cancelRequest", map[string]any{"id": srv.lastID})
			case "shutdown":
				srv.call("shutdown", nil)
				srv.notify("exit", nil)
			case "stdin closed":
				srv.stdin.Close()
			}
			left := func() []string {
				var out []string
				for _, pid := range procs {
					if alive(pid) {
						out = append(out, fmt.Sprintf("process %d (%s)", pid, cmdlineOf(pid)))
					}
				}
				entries, _ := os.ReadDir(tmp)
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), "go-build") || strings.HasPrefix(e.Name(), "modls-gotest-") {
						out = append(out, "directory "+filepath.Join(tmp, e.Name()))
					}
				}
				return out
			}
			for len(left()) > 0 && time.Since(start) < time.Second {
				time.Sleep(10 * time.Millisecond)
			}
			if l := left(); len(l) > 0 {
				t.Errorf("a second after %s: %s", how, strings.Join(l, ", "))
			}
			if how == "cancel" {
				select {
				case reply := <-done:
					if reply.err == nil || !strings.Contains(reply.err.Error(), "cancelled") {
						t.Errorf("the cancelled command answered %s, %v", reply.result, reply.err)
					}
				case <-time.After(time.Minute):
					t.Errorf("no answer to the cancelled command")
				}
				srv.call("shutdown", nil)
				srv.notify("exit", nil)
			}
			srv.wait(t)
		})
	}
}

// serveProcess is modls serve, run as an editor runs it.
type serveProcess struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	conn   jsonrpc2.Conn
	stderr *bytes.Buffer
	lastID int // the id of the call callAsync made
	waited chan error
}

func startServe(t *testing.T, bin, ws, tmp string) *serveProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "MODLS_CACHE="+filepath.Join(t.TempDir(), "cache.db"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &serveProcess{cmd: cmd, stdin: stdin, stderr: &bytes.Buffer{}, waited: make(chan error, 1)}
	cmd.Stderr = &lockedBuffer{b: s.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.waited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr.String())
		}
	})
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(struct {
		io.Reader
		io.WriteCloser
	}{stdout, stdin}))
	s.conn.Go(context.Background(), func(context.Context, *jsonrpc2.Request) (any, error) { return nil, nil })
	s.call("initialize", map[string]any{"processId": nil, "rootUri": "file://" + ws,
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})
	s.notify("initialized", map[string]any{})
	return s
}

type rpcReply struct {
	result json.RawMessage
	err    error
}

// callAsync sends a request and answers on the channel. It must be the
// second call of the connection (initialize is the first): jsonrpc2
// numbers calls from 1, so its id is 2, which $/cancelRequest names.
func (s *serveProcess) callAsync(method string, params any) <-chan rpcReply {
	out := make(chan rpcReply, 1)
	go func() {
		var res json.RawMessage
		_, err := s.conn.Call(context.Background(), method, params, &res)
		out <- rpcReply{res, err}
	}()
	s.lastID = 2
	return out
}

func (s *serveProcess) call(method string, params any) {
	var res json.RawMessage
	s.conn.Call(context.Background(), method, params, &res)
}

func (s *serveProcess) notify(method string, params any) {
	s.conn.Notify(context.Background(), method, params)
}

// wait waits for the server to exit.
func (s *serveProcess) wait(t *testing.T) {
	t.Helper()
	select {
	case <-s.waited:
	case <-time.After(time.Minute):
		t.Errorf("modls serve did not exit")
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pidsWith lists the live processes whose command line holds s.
func pidsWith(s string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && pid != os.Getpid() && strings.Contains(cmdlineOf(pid), s) && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// goProcesses lists the go commands running in dir.
func goProcesses(dir string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, _ := os.Readlink("/proc/" + e.Name() + "/cwd")
		exe, _ := os.Readlink("/proc/" + e.Name() + "/exe")
		if cwd == dir && filepath.Base(exe) == "go" && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

func cmdlineOf(pid int) string {
	data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(strings.ReplaceAll(string(data), "\x00", " "))
}

func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !bytes.Contains(stat, []byte(") Z "))
}
