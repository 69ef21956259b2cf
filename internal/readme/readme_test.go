// Package readme holds the test that follows README.md as a new user
// would: every shell command of its indented code blocks, as written, in a
// fresh clone of the repository.
package readme

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/checker/cachetest"
)

// expectation is what one README command must do: exit with code and
// print a line matching line (standard output and error together).
type expectation struct {
	code int
	line string
	// server: the command serves until stopped. The test starts it, waits
	// for line, runs the commands after it, then stops it with SIGINT (as
	// Ctrl-C does) and wants exit stopCode and a line matching stopped.
	server   bool
	stopped  string
	stopCode int
	// net: the command runs in the network namespace of the server,
	// where the README's localhost:8000 is the server's and no one
	// else's.
	net bool
	// file, if set, must exist (relative to the clone) after the command.
	file string
	// tool is a program the command needs besides the go command.
	tool string
}

// excluded are the README's commands this test does not run, and why.
var excluded = map[string]string{
	"make test": "it runs this test",
	"git clone https://github.com/modls/modls ~/src/modls": "it needs the network; the test's own clone of this repository stands in for it",
	"code --install-extension modls.vsix":                  "it needs VS Code; e2e/vscode installs the packaged extension into code-server",
}

// expected holds every command the README shows, as written (a line
// continued with \ joined with a space; comments left on).
var expected = map[string]expectation{
	"go install ./cmd/modls":         {file: "bin/modls"},
	"modls version":                  {line: `^modls \S+$`},
	"modls check ./examples/app/...": {line: `no findings`},
	// go run exits 1 once it has been interrupted, whatever the status of
	// the program it ran: the graceful stop is the program's last line.
	"go run ./examples/app":                                                      {server: true, line: `msg=serving addr=\S*:8000\b`, stopped: `msg=stopped$`, stopCode: 1},
	"curl -s localhost:8000/api/v1/audit/status":                                 {net: true, tool: "curl", line: `"module":"standard.audit"`},
	"curl -s localhost:8000/api/v1/_framework/services":                          {net: true, tool: "curl", line: `"name":"audit.service"`},
	`curl -s -X POST localhost:8000/api/v1/audit/runs -d '{"target":"billing"}'`: {net: true, tool: "curl", line: `"target":"billing"`},
	"go run ./cmd/modls scaffold --name reports --type standard --features api,database,settings --dir examples/app": {
		line: `^created examples/app/modules/standard/reports \(\d+ files\)$`, file: "examples/app/modules/standard/reports/reports_integration_test.go"},
	"go run ./cmd/modls check ./examples/violations/...":                                                {code: 1, line: `^examples/violations/modules/\S+\.go:\d+:\d+: MOD\d{3}\b`},
	"go run ./cmd/modls check --format json ./examples/app/...":                                         {line: `"diagnostics": \[\]`},
	"go run ./cmd/modls check --diff ./examples/violations/...   # what --fix would change, as a patch": {code: 1, line: `^\+\+\+ b/examples/violations/modules/\S+\.go$`},
	"go run ./cmd/modls check --fix ./examples/violations/...    # apply the safe fixes":                {code: 1, line: `applied fixes to \d+ files`},
	"go run ./cmd/modls rules            # the rule list; modls rules MOD005 for one page":              {line: `^MOD005\s+db-outside-session\b`},
	"go run ./cmd/modls sandbox --module standard.analytics --dir examples/app":                         {line: `^ok standard\.analytics: \d+ passed, 0 failed`},
	"cd editors/vscode && npm ci && npm run package":                                                    {tool: "npm", line: `modls\.vsix`, file: "editors/vscode/modls.vsix"},
}

// commands reads the shell commands of markdown's indented code blocks
// (fenced blocks are other languages: JSON, Lua, YAML).
func commands(markdown string) []string {
	var out []string
	fenced, inBlock, prevBlank := false, false, true
	cont := ""
	for _, l := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			prevBlank = false
			continue
		}
		if fenced {
			continue
		}
		if strings.TrimSpace(l) == "" {
			prevBlank = true
			continue
		}
		if !strings.HasPrefix(l, "    ") {
			inBlock, prevBlank = false, false
			continue
		}
		if !inBlock && !prevBlank {
			continue // a paragraph's indented continuation, not code
		}
		inBlock, prevBlank = true, false
		cmd := strings.TrimSpace(l)
		if cont != "" {
			cmd = cont + " " + cmd
		}
		if strings.HasSuffix(cmd, `\`) {
			cont = strings.TrimSpace(strings.TrimSuffix(cmd, `\`))
			continue
		}
		cont = ""
		out = append(out, cmd)
	}
	return out
}

func TestCommands(t *testing.T) {
	got := commands("# T\n\nText:\n\n    one\n    two \\\n        --flag\n\n```json\n    {\"not\": \"code\"}\n```\n\nA paragraph\n    with an indented line\n\n- a list\n\n    three\n")
	want := []string{"one", "two --flag", "three"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("commands = %q; want %q", got, want)
	}
}

// needTool fails under CI and skips elsewhere when a program is missing.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is needed to run the README's commands (.ci/run installs it): %v", name, err)
		}
		t.Skipf("%s is not installed: %v", name, err)
	}
}

// TestREADME runs every shell command of README.md, in order and as
// written, in a fresh clone of this repository's committed state, and
// checks each one's exit status and a line of its output.
func TestREADME(t *testing.T) {
	for _, tool := range []string{"git", "go", "bash", "unshare", "nsenter", "ip", "curl"} {
		needTool(t, tool)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	clone := filepath.Join(tmp, "modls")
	if out, err := exec.Command("git", "clone", "--quiet", root, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	if head, err := exec.Command("git", "-C", clone, "log", "--oneline", "-1").Output(); err == nil {
		t.Logf("following README.md as committed: %s", bytes.TrimSpace(head))
	}
	readme, err := os.ReadFile(filepath.Join(clone, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := commands(string(readme))
	if len(cmds) < 10 {
		t.Fatalf("README.md has %d commands in indented code blocks: %q", len(cmds), cmds)
	}
	seen := map[string]bool{}
	for _, c := range cmds {
		_, exp := expected[c]
		_, skip := excluded[c]
		if !exp && !skip {
			t.Errorf("README command %q: this test expects nothing of it; add it to expected (or to excluded, with why)", c)
		}
		seen[c] = true
	}
	for c := range expected {
		if !seen[c] {
			t.Errorf("expected lists %q, which README.md no longer shows", c)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	bin := filepath.Join(clone, "bin")
	env := append(os.Environ(),
		"GOBIN="+bin,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		// A cache holding the framework's and the standard library's
		// types, as a developer's does after a first check: what is tested
		// is what the commands do, not how long a cold check takes.
		"MODLS_CACHE="+cachetest.Seeded(t),
		"GOFLAGS=", "GOWORK=off",
	)
	ns := newNetns(t, env)

	var srv *server
	stop := func() {
		if srv != nil {
			srv.stop(t)
			srv = nil
		}
	}
	defer stop()
	for _, c := range cmds {
		if why, ok := excluded[c]; ok {
			t.Logf("not run: %s (%s)", c, why)
			continue
		}
		e := expected[c]
		if !e.net {
			stop()
		}
		if e.tool != "" {
			if _, err := exec.LookPath(e.tool); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s: %s is needed (.ci/run installs it): %v", c, e.tool, err)
				}
				t.Logf("not run: %s (%s is not installed)", c, e.tool)
				continue
			}
		}
		if e.server {
			srv = startServer(t, ns, clone, env, c, e)
			continue
		}
		if e.net && srv == nil {
			t.Fatalf("%s: no server runs for it (the README should start one before)", c)
		}
		start := time.Now()
		code, out := runCommand(t, ns, e.net, clone, env, c)
		t.Logf("%s: exit %d in %v", c, code, time.Since(start).Round(time.Millisecond))
		check(t, c, e, code, out, clone)
	}
}

// check holds a finished command to its expectation.
func check(t *testing.T, c string, e expectation, code int, out, clone string) {
	t.Helper()
	if code != e.code {
		t.Errorf("%s: exit status %d; want %d\n%s", c, code, e.code, out)
	}
	if e.line != "" && !regexp.MustCompile(`(?m)`+e.line).MatchString(out) {
		t.Errorf("%s: no line of its output matches %s:\n%s", c, e.line, out)
	}
	if e.file != "" {
		if _, err := os.Stat(filepath.Join(clone, e.file)); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
}

// commandCeiling bounds each command: a cold build of modls on a loaded
// machine takes minutes.
const commandCeiling = 15 * time.Minute

// runCommand runs c with bash in dir (in the network namespace if net),
// and returns its exit code and its output.
func runCommand(t *testing.T, ns *netns, net bool, dir string, env []string, c string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandCeiling)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", c)
	if net && ns != nil {
		cmd = exec.CommandContext(ctx, "nsenter", ns.enter("bash", "-c", c)...)
	}
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s: did not finish within %v\n%s", c, commandCeiling, out)
	}
	if err != nil {
		if x, ok := err.(*exec.ExitError); ok {
			return x.ExitCode(), string(out)
		}
		t.Fatalf("%s: %v", c, err)
	}
	return 0, string(out)
}

// netns is a user and network namespace of the test's own, with its
// loopback up, held open by a process that sleeps in it: the README's
// server and the curl lines against it meet there on localhost:8000,
// whoever else on the machine uses that port.
type netns struct {
	pid int
}

func newNetns(t *testing.T, env []string) *netns {
	t.Helper()
	// A machine without user namespaces (some containers) runs the server
	// on its own network, where localhost:8000 must be free.
	if out, err := exec.Command("unshare", "--user", "--map-root-user", "--net", "true").CombinedOutput(); err != nil {
		t.Logf("no network namespace of the test's own (unshare: %v: %s); the server and curl use this machine's localhost:8000", err, bytes.TrimSpace(out))
		return nil
	}
	cmd := exec.Command("unshare", "--user", "--map-root-user", "--net", "--",
		"sh", "-c", "ip link set lo up && echo ready && exec sleep infinity")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("a network namespace for the server: %q, %v\n%s", line, err, stderr.String())
	}
	return &netns{pid: cmd.Process.Pid}
}

// enter is nsenter's arguments to run argv in the namespace.
func (n *netns) enter(argv ...string) []string {
	return append([]string{"--target", fmt.Sprint(n.pid), "--user", "--net", "--preserve-credentials", "--"}, argv...)
}

// server is a README command that serves until stopped.
type server struct {
	cmd   string
	exp   expectation
	proc  *exec.Cmd
	out   *lockedBuffer
	done  chan struct{}
	err   error
	clone string
}

func startServer(t *testing.T, ns *netns, dir string, env []string, c string, e expectation) *server {
	t.Helper()
	s := &server{cmd: c, exp: e, out: &lockedBuffer{changed: make(chan struct{}, 1)}, done: make(chan struct{}), clone: dir}
	s.proc = exec.Command("bash", "-c", c)
	if ns != nil {
		s.proc = exec.Command("nsenter", ns.enter("bash", "-c", c)...)
	}
	s.proc.Dir, s.proc.Env = dir, env
	s.proc.Stdout, s.proc.Stderr = s.out, s.out
	// Its own process group: SIGINT reaches go run and the program it
	// runs, as Ctrl-C in a terminal does.
	s.proc.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := s.proc.Start(); err != nil {
		t.Fatalf("%s: %v", c, err)
	}
	go func() {
		s.err = s.proc.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			syscall.Kill(-s.proc.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	})
	if !s.out.await(regexp.MustCompile(`(?m)`+e.line), s.done, commandCeiling) {
		t.Fatalf("%s: no line matching %s within %v or before it exited (%v):\n%s", c, e.line, commandCeiling, s.err, s.out)
	}
	t.Logf("%s: serving after %v", c, time.Since(start).Round(time.Millisecond))
	return s
}

// stop interrupts the server as Ctrl-C does and checks that it stopped
// gracefully.
func (s *server) stop(t *testing.T) {
	t.Helper()
	syscall.Kill(-s.proc.Process.Pid, syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: still running 2m after SIGINT:\n%s", s.cmd, s.out)
	}
	code := 0
	if x, ok := s.err.(*exec.ExitError); ok {
		code = x.ExitCode()
	} else if s.err != nil {
		t.Fatalf("%s: %v", s.cmd, s.err)
	}
	e := s.exp
	e.line, e.code = e.stopped, e.stopCode
	check(t, s.cmd+" (stopped with Ctrl-C)", e, code, s.out.String(), s.clone)
}

// lockedBuffer collects a process's output and signals each write.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.buf.Write(p)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// await waits for a line matching re, until the process ends or the
// ceiling passes.
func (b *lockedBuffer) await(re *regexp.Regexp, exited <-chan struct{}, ceiling time.Duration) bool {
	deadline := time.After(ceiling)
	for {
		if re.MatchString(b.String()) {
			return true
		}
		select {
		case <-b.changed:
		case <-exited:
			return re.MatchString(b.String())
		case <-deadline:
			return false
		}
	}
}
