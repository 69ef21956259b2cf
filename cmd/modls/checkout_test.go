package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/tools/txtar"

	"github.com/modls/modls/checker/cachetest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ from what modls prints")

// runShared runs modls in-process with the cache the test already chose
// (cachetest.Use), so that runs after the first answer from it.
func runShared(dir string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Dir: dir})
	return code, out.String(), errOut.String()
}

// TestCheckOutput runs modls check's output and flag tests on one copy of
// examples/violations with one cache, so that each check after the first
// is answered from it or checks only what its flags change. The tests
// that edit the copy come last.
func TestCheckOutput(t *testing.T) {
	ws := violationsCopy(t)
	cachetest.Use(t)
	for _, sub := range []struct {
		name string
		test func(t *testing.T, ws string)
	}{
		{"golden", checkTextGolden},
		{"color", checkColor},
		{"timings", checkTimings},
		{"select", checkSelectIgnore},
		{"absolute paths", checkAbsolutePaths},
		{"new from rev", checkNewFromRev},
	} {
		if !t.Run(sub.name, func(t *testing.T) { sub.test(t, ws) }) {
			return
		}
	}
}

// checkTextGolden holds the text output of modls check on
// examples/violations (plain, coloured, concise, statistics) to the
// golden files in testdata/. go test ./cmd/modls -run
// TestCheckOutput/golden -update rewrites them.
func checkTextGolden(t *testing.T, ws string) {
	t.Setenv("NO_COLOR", "")
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"check_text.txtar", []string{"check"}},
		{"check_text_color.txtar", []string{"check", "--color", "always"}},
		{"check_concise.txtar", []string{"check", "--format", "concise"}},
		{"check_statistics.txtar", []string{"check", "--statistics"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, stdout, stderr := runShared(ws, tc.args...)
			got := &txtar.Archive{
				Comment: []byte(fmt.Sprintf("modls %s in examples/violations: exit %d\n", strings.Join(tc.args, " "), code)),
				Files:   []txtar.File{{Name: "stdout", Data: []byte(stdout)}, {Name: "stderr", Data: []byte(stderr)}},
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, txtar.Format(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./cmd/modls -run TestCheckOutput/golden -update writes it)", err)
			}
			want := txtar.Parse(data)
			if string(want.Comment) != string(got.Comment) {
				t.Errorf("%s", got.Comment)
			}
			for i, f := range want.Files {
				if g := got.Files[i].Data; !bytes.Equal(g, f.Data) {
					t.Errorf("%s differs from %s (run with -update if the change is meant):\n%s", f.Name, path, lineDiff(string(f.Data), string(g)))
				}
			}
		})
	}
}

// lineDiff names the first line that differs.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, a, b)
		}
	}
	return ""
}

// checkColor checks when the text output is coloured: on a terminal
// (a real pseudo-terminal here) unless NO_COLOR is set, never into a pipe
// or file, and always with --color always.
func checkColor(t *testing.T, ws string) {
	ledger := "./modules/standard/ledger/..."
	colored := func(s string) bool { return strings.Contains(s, "\x1b[") }

	for _, tc := range []struct {
		name    string
		noColor string
		args    []string
		want    bool
	}{
		{"auto, into a buffer", "", nil, false},
		{"always", "", []string{"--color", "always"}, true},
		{"always beats NO_COLOR", "1", []string{"--color", "always"}, true},
		{"never", "", []string{"--color", "never"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tc.noColor)
			code, stdout, stderr := runShared(ws, append(append([]string{"check"}, tc.args...), ledger)...)
			if code != 1 || colored(stdout) != tc.want || colored(stderr) != tc.want {
				t.Errorf("exit %d, coloured %v/%v, want %v:\n%q\n%q", code, colored(stdout), colored(stderr), tc.want, stdout, stderr)
			}
		})
	}
	if code, _, stderr := runShared(ws, "check", "--color", "sometimes", ledger); code != 2 || !strings.Contains(stderr, `--color is auto, always or never, not "sometimes"`) {
		t.Errorf("--color sometimes: exit %d, %s", code, stderr)
	}

	for _, tc := range []struct {
		name    string
		noColor string
		args    []string
		want    bool
	}{
		{"auto, on a terminal", "", nil, true},
		{"auto, on a terminal, NO_COLOR", "1", nil, false},
		{"never, on a terminal", "", []string{"--color", "never"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tc.noColor)
			tty, read := pseudoTerminal(t)
			var errOut bytes.Buffer
			code := run(context.Background(), append(append([]string{"check"}, tc.args...), ledger),
				env{Stdin: strings.NewReader(""), Stdout: tty, Stderr: &errOut, Dir: ws})
			tty.Close()
			out := read()
			if code != 1 || colored(out) != tc.want || !strings.Contains(out, "MOD002") {
				t.Errorf("exit %d, coloured %v, want %v:\n%q", code, colored(out), tc.want, out)
			}
			if colored(errOut.String()) {
				t.Errorf("the summary, into a buffer, is coloured: %q", errOut.String())
			}
		})
	}
}

// pseudoTerminal opens a pseudo-terminal and returns its terminal end and
// a function that returns all that was written to it once it is closed.
func pseudoTerminal(t *testing.T) (*os.File, func() string) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no pseudo-terminals: %v", err)
		}
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("the pseudo-terminal's number: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the terminal end: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	// Read as it is written: a terminal's buffer is small.
	done := make(chan string, 1)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, ptmx) // ends with EIO once the terminal end is closed
		done <- b.String()
	}()
	return tty, func() string {
		select {
		case s := <-done:
			return s
		case <-time.After(time.Minute):
			t.Fatal("the pseudo-terminal was not closed")
			return ""
		}
	}
}
