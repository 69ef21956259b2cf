// Command gotest runs go test -json with the arguments it is given and
// reports as the run goes: a line per package as it finishes, the output
// of every failed test, a line every minute naming the packages still
// running, and at the end a summary of the tests that were skipped and
// why and of the slowest tests. It exits with go test's status.
//
// The arguments are lanes separated by "--", which run at the same time;
// a lane is go test runs separated by "--then", made one after another.
// A package that a run under -race tests is named with " (race)".
//
//	go run ./internal/gotest -race ./sandbox/ --then -race -run TestSession ./checker/ -- ./rules/...
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type report struct {
	mu      sync.Mutex
	out     io.Writer
	started map[string]time.Time // packages running
	output  map[string][]string  // test output so far, by package and test
	skipped []string             // "pkg TestX: reason"
	failed  []string             // "pkg TestX"
	pkgTime map[string]float64   // elapsed per package
	slow    []timed              // top-level tests and their elapsed time
}

// timed is a test and how long it ran.
type timed struct {
	name    string
	elapsed float64
}

func key(e event) string { return e.Package + " " + e.Test }

// short drops the module path common to this repository's packages.
func short(pkg string) string { return strings.TrimPrefix(pkg, "github.com/modls/modls/") }

func (r *report) handle(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Action {
	case "start":
		r.started[e.Package] = time.Now()
	case "output":
		r.output[key(e)] = append(r.output[key(e)], e.Output)
	case "skip":
		if e.Test == "" {
			delete(r.started, e.Package)
			break
		}
		if !strings.Contains(e.Test, "/") || !r.skippedParent(e) {
			r.skipped = append(r.skipped, fmt.Sprintf("%s %s: %s", short(e.Package), e.Test, reason(r.output[key(e)])))
		}
		delete(r.output, key(e))
	case "pass":
		delete(r.output, key(e))
		r.timeTest(e)
		if e.Test == "" {
			r.finish(e, "ok  ")
		}
	case "fail":
		if e.Test == "" {
			// Output outside any test (a panic, a TestMain's complaint).
			for _, line := range r.output[key(e)] {
				if !strings.HasPrefix(line, "FAIL") && !strings.HasPrefix(line, "ok ") {
					fmt.Fprint(r.out, line)
				}
			}
			r.finish(e, "FAIL")
			break
		}
		r.timeTest(e)
		r.failed = append(r.failed, short(e.Package)+" "+e.Test)
		if !strings.Contains(e.Test, "/") {
			fmt.Fprintf(r.out, "--- FAIL: %s %s (%.1fs)\n", short(e.Package), e.Test, e.Elapsed)
			for k, lines := range r.output {
				if k == key(e) || strings.HasPrefix(k, key(e)+"/") {
					for _, line := range lines {
						if !strings.HasPrefix(strings.TrimSpace(line), "=== ") {
							fmt.Fprint(r.out, line)
						}
					}
					delete(r.output, k)
				}
			}
		}
	}
}

// timeTest records how long a top-level test ran, if a second or more.
func (r *report) timeTest(e event) {
	if e.Test != "" && !strings.Contains(e.Test, "/") && e.Elapsed >= 1 {
		r.slow = append(r.slow, timed{short(e.Package) + " " + e.Test, e.Elapsed})
	}
}

// slowest is how many of the longest tests (a second or more) the summary
// names.
const slowest = 10

// skippedParent reports whether e's parent test was itself skipped, which
// says it once.
func (r *report) skippedParent(e event) bool {
	parent := e.Test[:strings.LastIndex(e.Test, "/")]
	prefix := short(e.Package) + " " + parent + ":"
	for _, s := range r.skipped {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func (r *report) finish(e event, status string) {
	delete(r.started, e.Package)
	delete(r.output, key(e))
	r.pkgTime[e.Package] = e.Elapsed
	fmt.Fprintf(r.out, "%s %-45s %6.1fs\n", status, short(e.Package), e.Elapsed)
}

// reason is the message a skipped test gave: its last line of output
// that is not go test's own.
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "=== ") {
			continue
		}
		// "file_test.go:40: why" → "why (file_test.go:40)"
		if i := strings.Index(l, ".go:"); i > 0 {
			if j := strings.Index(l[i+4:], ": "); j >= 0 {
				return l[i+4+j+2:] + " (" + l[:i+4+j] + ")"
			}
		}
		return l
	}
	return "no reason given"
}

func (r *report) running() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.started) == 0 {
		return
	}
	var names []string
	for p, at := range r.started {
		names = append(names, fmt.Sprintf("%s (%s)", short(p), time.Since(at).Round(time.Second)))
	}
	sort.Strings(names)
	fmt.Fprintf(r.out, "     still running: %s\n", strings.Join(names, ", "))
}

func main() {
	start := time.Now()
	r := &report{out: os.Stdout, started: map[string]time.Time{}, output: map[string][]string{}, pkgTime: map[string]float64{}}
	tick := time.NewTicker(time.Minute)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-tick.C:
				r.running()
			case <-done:
				return
			}
		}
	}()
	lanes := parseLanes(os.Args[1:])
	codes := make([]int, len(lanes))
	var wg sync.WaitGroup
	for i, lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, run := range lane {
				codes[i] = max(codes[i], r.run(run))
			}
		}()
	}
	wg.Wait()
	close(done)
	tick.Stop()
	code := 0
	for _, c := range codes {
		code = max(code, c)
	}
	r.summary(time.Since(start), code)
	os.Exit(code)
}

// parseLanes splits the arguments into lanes ("--"), each a list of go
// test runs ("--then").
func parseLanes(args []string) [][][]string {
	lanes := [][][]string{{{}}}
	for _, a := range args {
		lane := lanes[len(lanes)-1]
		switch a {
		case "--":
			lanes = append(lanes, [][]string{{}})
		case "--then":
			lanes[len(lanes)-1] = append(lane, []string{})
		default:
			lane[len(lane)-1] = append(lane[len(lane)-1], a)
		}
	}
	return lanes
}

// run runs go test -json with args, reporting its events, and returns its
// exit status.
func (r *report) run(args []string) int {
	race := slices.Contains(args, "-race")
	// A run that names its tests (-run) must run some in every package
	// it tests: a pattern that has stopped matching fails, not passes.
	chosen := slices.Contains(args, "-run")
	ran := map[string]bool{}
	unmatched := 0
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gotest: %v\n", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "gotest: %v\n", err)
		return 2
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (a build error printed as text): pass it on.
			r.mu.Lock()
			fmt.Fprintln(r.out, sc.Text())
			r.mu.Unlock()
			continue
		}
		if race && e.Package != "" {
			e.Package += " (race)"
		}
		if e.Action == "run" {
			ran[e.Package] = true
		}
		if chosen && e.Test == "" && e.Action == "pass" && !ran[e.Package] {
			unmatched++
			r.mu.Lock()
			fmt.Fprintf(r.out, "--- FAIL: %s: no test matches -run\n", short(e.Package))
			r.failed = append(r.failed, short(e.Package)+" (no test matches -run)")
			r.mu.Unlock()
		}
		r.handle(e)
	}
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "gotest: %v\n", err)
		return 2
	}
	if unmatched > 0 {
		return 1
	}
	return 0
}

func (r *report) summary(took time.Duration, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Strings(r.skipped)
	if len(r.skipped) == 0 {
		fmt.Fprintln(r.out, "skipped: none")
	} else {
		fmt.Fprintf(r.out, "skipped: %d tests\n", len(r.skipped))
		for _, s := range r.skipped {
			fmt.Fprintf(r.out, "  %s\n", s)
		}
	}
	sort.Slice(r.slow, func(i, j int) bool { return r.slow[i].elapsed > r.slow[j].elapsed })
	if len(r.slow) > 0 {
		var names []string
		for _, s := range r.slow[:min(slowest, len(r.slow))] {
			names = append(names, fmt.Sprintf("%s %.0fs", s.name, s.elapsed))
		}
		fmt.Fprintf(r.out, "slowest tests: %s\n", strings.Join(names, ", "))
	}
	if len(r.failed) > 0 {
		sort.Strings(r.failed)
		fmt.Fprintf(r.out, "failed: %s\n", strings.Join(r.failed, ", "))
	}
	status := "passed"
	if code != 0 {
		status = fmt.Sprintf("FAILED (go test exit status %d)", code)
	}
	fmt.Fprintf(r.out, "go test %s in %s\n", status, took.Round(time.Second))
}
