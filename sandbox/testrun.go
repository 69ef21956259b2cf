package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// runTests runs one package's integration tests, confined, and reports a
// check per test as the test binary reports it.
func (r *runner) runTests(ctx context.Context, dir, binary string) error {
	tests := r.facts.tests[dir]
	rel, _ := filepath.Rel(r.target.Dir, dir)
	suffix := ""
	if rel != "." {
		suffix = " (" + filepath.ToSlash(rel) + ")"
	}
	copyDir := filepath.Join(r.sb.path("src"), mustRel(r.ws.Root, dir))
	args := []string{"-test.v", "-test.count=1", "-test.run", "^(" + strings.Join(tests, "|") + ")$"}
	tr := &testRun{dir: dir, suffix: suffix, state: map[string]*testState{}, add: r.add}
	lines := &lineWriter{fn: tr.line}
	snap := r.snapshot()
	start := time.Now()
	x := r.confined(ctx, confinedRun{dir: copyDir, env: r.baseEnv(), timeout: r.opts.Timeout,
		stdout: io.MultiWriter(r.opts.Stdout, lines), stderr: r.opts.Stderr, path: binary, args: args})
	if x.canceled {
		return ctx.Err()
	}
	if x.startErr != nil {
		r.add(Check{Name: CheckTests + suffix, Status: StatusFail, Message: "starting the tests: " + x.startErr.Error()})
		return nil
	}
	if r.refusedRun(x) {
		return nil
	}
	lines.flush()
	tr.finish(r, x, tests, time.Since(start))
	if len(x.strays) > 0 {
		var strays []string
		for _, p := range x.strays {
			strays = append(strays, fmt.Sprintf("%s (pid %d)", p.Cmd, p.PID))
		}
		c := Check{Name: CheckTestProcesses + suffix, Status: StatusFail,
			Message: fmt.Sprintf("%s was still running after the tests finished (the sandbox killed it); wait for the processes a test starts (cmd.Wait in t.Cleanup)", strings.Join(strays, ", "))}
		if len(r.facts.commands) > 0 {
			c.File, c.Line = r.facts.commands[0].File, r.facts.commands[0].Line
		}
		r.add(c)
	} else if x.code == 0 {
		r.add(Check{Name: CheckTestProcesses + suffix, Status: StatusPass, Message: fmt.Sprintf("%d tests", len(tr.started))})
	}
	r.limitChecks(x, "an integration test")
	if len(tr.forged) > 0 {
		name := CheckGenuine + " (integration tests)"
		if rel != "." {
			name = CheckGenuine + " (integration tests of " + filepath.ToSlash(rel) + ")"
		}
		what := "a line of the test binary's output reports a test that did not run or had ended"
		if n := len(tr.forged); n > 1 {
			what = fmt.Sprintf("%d lines of the test binary's output report a test that did not run or had ended", n)
		}
		r.add(Check{Name: name, Status: StatusFail, Message: fmt.Sprintf(
			"%s (the first: %q): test code printed it; the sandbox accepts each test's end once, after the test starts", what, tr.forged[0])})
	}
	writes := CheckWrites + " (integration tests)"
	if rel != "." {
		writes = CheckWrites + " (integration tests of " + filepath.ToSlash(rel) + ")"
	}
	r.compareSnapshot(snap, x.report, writes, "an integration test")
	return nil
}

// The lines of go test -v that say which test runs and how it ended, and
// the lines a test logs (t.Error, t.Log: "    file_test.go:12: message").
var (
	testHeadRE = regexp.MustCompile(`^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)$`)
	testEndRE  = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (\S+) \(([\d.]+)s\)$`)
	testMsgRE  = regexp.MustCompile(`^\s+(\S+_test\.go):(\d+): (.*)$`)
	panicRE    = regexp.MustCompile(`(?m)^panic: (.*?)(?: \[recovered[^\]]*\])?$`)
)

// testRun follows the -test.v output of one test binary, line by line, and
// turns it into a check per top-level test (subtests fold into theirs).
type testRun struct {
	dir, suffix string
	add         func(Check)
	started     []string // top-level tests in the order they started
	state       map[string]*testState
	current     string // the test the next lines belong to
	// pending is a failure held back until the next test starts or the
	// binary ends: a panic printed right after it is its cause.
	pending *Check
	// forged are end lines of tests that had not started or had ended.
	forged []string
}

type testState struct {
	msgs []string
	file string // of the first message, in the real workspace
	line int
	done bool
}

func (t *testRun) line(l string) {
	l = strings.TrimSuffix(l, "\r")
	if m := testHeadRE.FindStringSubmatch(l); m != nil {
		name, _, _ := strings.Cut(m[2], "/")
		if m[1] == "RUN" && name == m[2] {
			t.flush()
			t.started = append(t.started, name)
			t.state[name] = &testState{}
		}
		t.current = name
		return
	}
	if m := testMsgRE.FindStringSubmatch(l); m != nil {
		if s := t.state[t.current]; s != nil {
			if s.file == "" {
				// go test names the file without its directory: the
				// package's, which is the same in the copy and the
				// real workspace.
				s.file, s.line = filepath.Join(t.dir, m[1]), atoi(m[2])
			}
			s.msgs = append(s.msgs, m[3])
		}
		return
	}
	m := testEndRE.FindStringSubmatch(l)
	if m == nil || strings.Contains(m[2], "/") {
		return
	}
	s := t.state[m[2]]
	if s == nil || s.done {
		// The binary runs each test once, and says so before its end:
		// this line comes from test code.
		t.forged = append(t.forged, l)
		return
	}
	s.done = true
	secs, _ := strconv.ParseFloat(m[3], 64)
	c := Check{Name: "test " + m[2] + t.suffix, Duration: time.Duration(secs * float64(time.Second))}
	switch m[1] {
	case "PASS":
		c.Status = StatusPass
	case "SKIP":
		c.Status, c.Message = StatusSkip, strings.Join(s.msgs, "; ")
	default:
		c.Status, c.Message, c.File, c.Line = StatusFail, strings.Join(s.msgs, "; "), s.file, s.line
		t.flush()
		t.pending = &c
		return
	}
	t.add(c)
}

// flush reports the failure held back.
func (t *testRun) flush() {
	if t.pending != nil {
		if t.pending.Message == "" {
			t.pending.Message = "failed"
		}
		t.add(*t.pending)
		t.pending = nil
	}
}

// finish reports what the output alone does not say once the binary has
// ended: the test that panicked (with the panic and where it happened),
// tests that never finished (a time-out or an exit), and tests that never
// ran because the binary ended before them.
func (t *testRun) finish(r *runner, x exit, tests []string, elapsed time.Duration) {
	var unfinished []string
	for _, name := range t.started {
		if !t.state[name].done {
			unfinished = append(unfinished, name)
		}
	}
	crash := append(append([]byte(nil), x.stderr...), x.output...)
	file, line := r.moduleFrame(crash, r.setDirs()...)
	panicMsg := ""
	if m := panicRE.FindSubmatch(crash); m != nil {
		panicMsg = "panic: " + string(m[1])
	}
	notRun := ""
	switch {
	case x.timedOut:
		msg := fmt.Sprintf("did not finish within %v", r.opts.Timeout)
		if file != "" {
			msg += fmt.Sprintf(" (blocked at %s:%d)", filepath.Base(file), line)
		}
		msg += "; the sandbox stopped it and its processes"
		t.flush()
		t.failUnfinished(unfinished, msg, file, line, elapsed)
		notRun = "not run: the sandbox stopped the test binary at the time limit"
	case x.code != 0 && panicMsg != "":
		culprit := t.pending
		if culprit == nil && len(unfinished) > 0 {
			// A panic in a goroutine the test started ends the binary
			// before the test's own end line.
			culprit = &Check{Name: "test " + unfinished[len(unfinished)-1] + t.suffix, Status: StatusFail, Duration: elapsed}
			unfinished = unfinished[:len(unfinished)-1]
		}
		if culprit == nil {
			culprit = &Check{Name: CheckTests + t.suffix, Status: StatusFail, Duration: elapsed}
		}
		if culprit.Message == "" {
			culprit.Message = panicMsg
		} else {
			culprit.Message = panicMsg + "; " + culprit.Message
		}
		if file != "" {
			culprit.File, culprit.Line = file, line
		}
		t.pending = culprit
		t.flush()
		t.failUnfinished(unfinished, "did not finish: the test binary died of a panic in another test", "", 0, elapsed)
		notRun = fmt.Sprintf("not run: the test binary died of a panic in %s", strings.TrimPrefix(culprit.Name, "test "))
	case x.code != 0 && len(unfinished) > 0:
		t.flush()
		t.failUnfinished(unfinished, fmt.Sprintf("the test binary exited with status %d while the test was running: os.Exit or log.Fatal in the test or in the code it calls?", x.code), file, line, elapsed)
		notRun = "not run: the test binary exited before it"
	case x.code != 0 && len(t.started) == 0:
		t.flush()
		c := Check{Name: CheckTests + t.suffix, Status: StatusFail, Duration: elapsed, File: file, Line: line,
			Message: fmt.Sprintf("the test binary exited with status %d before any test ran", x.code)}
		if first := firstLine(string(x.stderr), ""); first != "" {
			c.Message += ": " + first
		}
		t.add(c)
		notRun = "not run: the test binary exited before it"
	default:
		t.flush()
	}
	if notRun == "" {
		return
	}
	for _, name := range tests {
		if _, ok := t.state[name]; !ok {
			t.add(Check{Name: "test " + name + t.suffix, Status: StatusSkip, Message: notRun})
		}
	}
}

func (t *testRun) failUnfinished(names []string, msg, file string, line int, elapsed time.Duration) {
	for _, name := range names {
		t.add(Check{Name: "test " + name + t.suffix, Status: StatusFail, Duration: elapsed, Message: msg, File: file, Line: line})
	}
}

// lineWriter calls fn with each line written to it, as it comes.
type lineWriter struct {
	mu  sync.Mutex
	buf []byte
	fn  func(string)
}

// maxLine bounds a line kept whole; a longer one is cut into pieces.
const maxLine = 1 << 20

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > maxLine {
		w.fn(string(w.buf))
		w.buf = nil
	}
	w.buf = append([]byte(nil), w.buf...)
	return len(p), nil
}

// flush passes on a last line without its newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.fn(string(w.buf))
		w.buf = nil
	}
}
