package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/modls/modls/internal/testbin"
)

// runOnTerminal runs the built modls with args in dir, its standard error
// on a pseudo-terminal (standard output a pipe, as when the output is
// piped on), and returns what each received and how it exited.
func runOnTerminal(t *testing.T, bin, dir string, env []string, args ...string) (stdout, tty string, err error) {
	t.Helper()
	ptmx, tt, perr := pty.Open()
	if perr != nil {
		t.Fatalf("opening a pseudo-terminal: %v", perr)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 200}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, append(append(os.Environ(), "TERM=xterm"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tt
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tt.Close()
	// The terminal's output, until the last writer has gone (EIO on
	// Linux once the slave side is closed).
	read := make(chan []byte)
	go func() {
		data, _ := io.ReadAll(ptmx)
		read <- data
	}()
	err = cmd.Wait()
	select {
	case data := <-read:
		tty = string(data)
	case <-time.After(time.Minute):
		t.Fatal("the terminal's output did not end within a minute of the command's exit")
	}
	return out.String(), tty, err
}

// runOffTerminal runs the built modls with standard output and error on
// pipes.
func runOffTerminal(t *testing.T, bin, dir string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, append(append(os.Environ(), "TERM=xterm"), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// TestStatusOnTerminal: a cold check says how many packages it has checked,
// in place, and the sandbox what it is building and running, on a terminal
// only; nothing of it reaches standard output, and standard error carries
// none of it when it is not a terminal.
func TestStatusOnTerminal(t *testing.T) {
	t.Parallel() // every process it starts has an environment of its own
	if _, err := os.Stat("/dev/ptmx"); errors.Is(err, os.ErrNotExist) {
		t.Fatal("this machine offers no pseudo-terminals (/dev/ptmx)")
	}
	bin := testbin.Modls(t)
	root, _ := filepath.Abs("../..")
	progress := regexp.MustCompile(`\r\x1b\[Kchecking (\d+) of (\d+) packages`)

	t.Run("check", func(t *testing.T) {
		cold := []string{"MODLS_CACHE=" + filepath.Join(t.TempDir(), "cache.db")}
		stdout, tty, err := runOnTerminal(t, bin, root, cold, "check", "./examples/app/...")
		if err != nil {
			t.Fatalf("modls check: %v\n%s%q", err, stdout, tty)
		}
		ms := progress.FindAllStringSubmatch(tty, -1)
		if len(ms) == 0 {
			t.Fatalf("a cold check wrote no progress on the terminal: %q", tty)
		}
		if ms[0][1] != "0" || ms[len(ms)-1][1] == ms[len(ms)-1][2] {
			t.Errorf("progress %q; want it to start at 0 and end before the total", ms)
		}
		// Erased before anything else is written: the summary starts on a
		// clean line.
		last := progress.FindAllStringIndex(tty, -1)
		if rest := tty[last[len(last)-1][1]:]; !strings.HasPrefix(rest, "\r\x1b[K") || strings.Contains(rest, "checking ") {
			t.Errorf("after the last progress the terminal got %q; want the line erased first", rest)
		}
		if strings.Contains(stdout, "checking ") || strings.Contains(stdout, "\x1b") {
			t.Errorf("stdout = %q; want no progress", stdout)
		}
		// The same check answered from the cache has nothing to show.
		stdout, tty, err = runOnTerminal(t, bin, root, cold, "check", "./examples/app/...")
		if err != nil || strings.Contains(tty, "checking ") || strings.Contains(tty, "\r\x1b[K") {
			t.Errorf("a warm check: %v, and the terminal got %q; want no progress", err, tty)
		}
		// Cold again, standard error a pipe: not a byte of progress.
		cold = []string{"MODLS_CACHE=" + filepath.Join(t.TempDir(), "cache.db")}
		stdout, stderr, err := runOffTerminal(t, bin, root, cold, "check", "./examples/app/...")
		if err != nil || strings.Contains(stderr+stdout, "checking ") || strings.ContainsAny(stderr+stdout, "\r\x1b") {
			t.Errorf("a cold check off a terminal: %v, stderr %q, stdout %q; want no progress anywhere", err, stderr, stdout)
		}
		if !strings.Contains(stderr+stdout, "7 packages") {
			t.Errorf("a cold check off a terminal: stderr %q, stdout %q; want its summary", stderr, stdout)
		}
	})

	t.Run("sandbox", func(t *testing.T) {
		args := []string{"sandbox", "--module", "standard.audit", "--dir", "examples/app"}
		cold := []string{"MODLS_CACHE=" + filepath.Join(t.TempDir(), "cache.db")}
		stdout, tty, err := runOnTerminal(t, bin, root, cold, args...)
		if err != nil {
			t.Fatalf("modls sandbox: %v\n%s%q", err, stdout, tty)
		}
		for _, want := range []string{
			"\r\x1b[Kcopying standard.audit and its dependencies",
			"\r\x1b[Kbuilding the harness and the integration tests: first build compiles SQLite, about a minute",
			"\r\x1b[Krunning the integration checks",
			"\r\x1b[Krunning the integration tests of examples/app/modules/standard/audit",
		} {
			if !strings.Contains(tty, want) {
				t.Errorf("the terminal got no %q:\n%q", want, tty)
			}
		}
		// The status is erased before the command's last word on
		// standard error.
		if i := strings.LastIndex(tty, "\r\x1b[K"); i < 0 || strings.Contains(tty[i:], "building") || strings.Contains(tty[i:], "running") {
			t.Errorf("the terminal's last output %q; want the status erased", tty[max(i, 0):])
		}
		if strings.Contains(stdout, "\x1b") || !strings.Contains(stdout, "ok standard.audit: ") {
			t.Errorf("stdout = %q; want the checks and the summary without the status", stdout)
		}

		cold = []string{"MODLS_CACHE=" + filepath.Join(t.TempDir(), "cache.db")}
		stdout, stderr, err := runOffTerminal(t, bin, root, cold, args...)
		if err != nil {
			t.Fatalf("modls sandbox off a terminal: %v\n%s%s", err, stdout, stderr)
		}
		for _, s := range []string{stdout, stderr} {
			if strings.Contains(s, "\r") || strings.Contains(s, "building") || strings.Contains(s, "running the") {
				t.Errorf("off a terminal the output holds a status: stdout %q, stderr %q", stdout, stderr)
			}
		}
	})
}
