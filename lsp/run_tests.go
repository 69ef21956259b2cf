package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/internal/confine"
	"github.com/modls/modls/workspace"
)

// testFailure is a failed test or check, placed at a line of a file.
type testFailure struct {
	File    string
	Line    int // 1-based
	Message string
}

// testDiagnostic converts a failure to a diagnostic covering its line.
func testDiagnostic(t testFailure, text []byte, m *mapper, enc encoding) protocol.Diagnostic {
	start := goOffset(text, t.Line, 1)
	for start < len(text) && (text[start] == ' ' || text[start] == '\t') {
		start++
	}
	end := goOffset(text, t.Line, 1<<30)
	if end < start {
		end = start
	}
	return protocol.Diagnostic{
		Range:    offsetRange(m, start, end, enc),
		Severity: protocol.DiagnosticSeverityError,
		Source:   protocol.NewOptional("modls-test"),
		Message:  protocol.String(t.Message),
	}
}

// testEvent is one line of `go test -json` (cmd/test2json).
type testEvent struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
	Elapsed    float64
}

// failureLine matches a test's report of a failure ("    x_test.go:12: got 1")
// and a compiler's ("./x.go:3:4: undefined: y").
var failureLine = regexp.MustCompile(`^\s*([^\s:]+\.go):(\d+)(?::\d+)?: (.*)$`)

func runTests(ctx context.Context, s *Server, args commandArgs, p *progress) (outcome, error) {
	goArgs := []string{"test", "-json"}
	pattern := "./..."
	if args.Test != "" {
		goArgs = append(goArgs, "-run", "^"+regexp.QuoteMeta(args.Test)+"$")
		pattern = "."
	}
	root, err := workspace.FindRoot(args.Dir)
	if err != nil {
		return outcome{}, err
	}
	overlay, copies, cleanup, err := s.writeOverlay(root)
	if err != nil {
		return outcome{}, err
	}
	defer cleanup()
	if overlay != "" {
		goArgs = append(goArgs, "-overlay", overlay)
	}
	goArgs = append(goArgs, pattern)
	dirs, err := s.packageDirs(ctx, args.Dir, pattern, overlay)
	if err != nil {
		return outcome{}, err
	}
	start := time.Now()
	res, waitErr, stderr, err := goTest(ctx, s.opts.GoCommand, args.Dir, goArgs, dirs, copies, func(e testEvent) {
		if e.Test != "" && (e.Action == "run" || e.Action == "pass" || e.Action == "fail") {
			p.report("%s %s", e.Action, e.Test)
		}
	})
	if err != nil {
		return outcome{}, err
	}
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	elapsed := time.Since(start)
	if waitErr != nil && res.passed == 0 && res.failed == 0 && len(res.failures) == 0 {
		return outcome{}, fmt.Errorf("go test: %v: %s", waitErr, strings.TrimSpace(stderr))
	}
	what := "unit tests"
	if args.Test != "" {
		what = args.Test
	}
	out := outcome{failures: res.failures, covered: []string{args.Dir}}
	if res.failed == 0 && waitErr == nil {
		out.ok = true
		out.title = fmt.Sprintf("✓ %s %s", what, seconds(elapsed))
		out.summary = fmt.Sprintf("%s: %d passed in %s", what, res.passed, seconds(elapsed))
		if res.passed == 0 {
			out.summary = fmt.Sprintf("%s: no tests to run", what)
		}
		return out, nil
	}
	failed := max(res.failed, 1)
	out.title = fmt.Sprintf("✗ %d failed", failed)
	out.summary = fmt.Sprintf("%s: %d failed, %d passed", what, failed, res.passed)
	if len(res.names) > 0 {
		out.summary += ": " + strings.Join(res.names, ", ")
	}
	return out, nil
}

// testOutputLimit bounds the output of one run of the unit tests.
const testOutputLimit = 256 << 20

// goTest runs go test and its test binaries through the confine launcher
// with a lifetime policy: they run as go test does in a terminal (not
// confined: they are the developer's own tests, with the network and the
// user's files), but in a pid namespace of their own (or under a
// supervisor that kills every descendant where none can be made), with
// GOTMPDIR and TMPDIR in a directory that the supervisor removes once
// every process has ended. Cancelling ctx, the server's shutdown, or the
// server's death (its end of the supervisor's control pipe closes) ends
// go, the test binaries and anything they started, and removes their
// go-build directories.
func goTest(ctx context.Context, goCmd, dir string, goArgs []string, dirs, copies map[string]string, onEvent func(testEvent)) (res testResults, waitErr error, stderr string, err error) {
	tmp, err := os.MkdirTemp("", "modls-gotest-")
	if err != nil {
		return res, nil, "", err
	}
	defer os.RemoveAll(tmp)
	path := goCmd
	if !strings.Contains(path, "/") {
		if path, err = exec.LookPath(goCmd); err != nil {
			return res, nil, "", fmt.Errorf("go test: %w", err)
		}
	}
	env := append(os.Environ(), "GOTMPDIR="+tmp, "TMPDIR="+tmp)
	pr, pw := io.Pipe()
	var errBuf bytes.Buffer
	cmd := &confine.Cmd{
		Path: path, Args: append([]string{goCmd}, goArgs...), Dir: dir, Env: env,
		Stdout: pw, Stderr: &lockedBuffer{b: &errBuf},
		Policy: confine.Policy{Remove: []string{tmp}, Limits: confine.Limits{Output: testOutputLimit}},
	}
	if err := cmd.Start(); err != nil {
		return res, nil, "", fmt.Errorf("go test: %w", err)
	}
	stop := context.AfterFunc(ctx, cmd.Kill)
	defer stop()
	parsed := make(chan testResults, 1)
	go func() {
		parsed <- parseTestEvents(pr, dir, dirs, copies, onEvent)
		io.Copy(io.Discard, pr)
	}()
	ex, err := cmd.Wait()
	pw.Close()
	res = <-parsed
	if err != nil {
		return res, nil, "", fmt.Errorf("go test: %w", err)
	}
	switch {
	case ex.Error != "":
		waitErr = errors.New(ex.Error)
	case ex.Hit(confine.LimitOutput):
		waitErr = fmt.Errorf("its output passed %s; the run was stopped", confine.FormatSize(testOutputLimit))
	case ex.Signal != "":
		waitErr = fmt.Errorf("go test was killed by %s", ex.Signal)
	case ex.Code != 0:
		waitErr = fmt.Errorf("exit status %d", ex.Code)
	}
	return res, waitErr, errBuf.String(), nil
}

// lockedBuffer is a bytes.Buffer written from more than one goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// testResults is what a `go test -json` stream said.
type testResults struct {
	passed, failed int
	names          []string // failed tests (and packages that failed to build)
	failures       []testFailure
}

// parseTestEvents reads a `go test -json` stream. dir is where go test
// ran; dirs maps import paths to package directories, so that file names
// in test output can be placed; copies maps the temporary copies of
// unsaved buffers the go command compiled to the files they stand for.
func parseTestEvents(r io.Reader, dir string, dirs map[string]string, copies map[string]string, onEvent func(testEvent)) testResults {
	var res testResults
	output := map[string][]string{} // package+test → output lines
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var e testEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if onEvent != nil {
			onEvent(e)
		}
		pkg := e.Package
		if pkg == "" {
			pkg = e.ImportPath
		}
		key := pkg + "\x00" + e.Test
		switch e.Action {
		case "output", "build-output":
			output[key] = append(output[key], e.Output)
		case "pass":
			if e.Test != "" && !strings.Contains(e.Test, "/") {
				res.passed++
			}
		case "fail", "build-fail":
			if e.Test != "" && strings.Contains(e.Test, "/") {
				continue // its parent fails too
			}
			// A build failure names the package's test variant
			// ("p [p.test]").
			plain := strings.TrimSuffix(pkg, testVariant.FindString(pkg))
			pkgDir := dirs[plain]
			if pkgDir == "" {
				pkgDir = dir
			}
			var lines []string
			if e.Test != "" {
				lines = output[key]
				// Failures of subtests are in their own output.
				for k, v := range output {
					if strings.HasPrefix(k, pkg+"\x00"+e.Test+"/") {
						lines = append(lines, v...)
					}
				}
				res.failed++
				res.names = append(res.names, e.Test)
			} else {
				lines = append(output[pkg+"\x00"], output[e.ImportPath+"\x00"]...)
				if !hasTestFailure(res.failures, pkgDir) {
					if !mentionsFailure(lines) && e.Action == "fail" {
						continue // a package fails because a test did
					}
					res.failed++
					res.names = append(res.names, plain)
				}
			}
			for _, l := range lines {
				m := failureLine.FindStringSubmatch(strings.TrimRight(l, "\n"))
				if m == nil {
					continue
				}
				file := m[1]
				if !filepath.IsAbs(file) {
					base := pkgDir
					if strings.HasPrefix(file, "./") || strings.HasPrefix(file, "../") || strings.Contains(file, "/") {
						base = dir
					}
					file = filepath.Join(base, file)
				}
				if real, ok := copies[file]; ok {
					file = real
				}
				line, _ := strconv.Atoi(m[2])
				msg := strings.TrimSpace(m[3])
				if e.Test != "" {
					msg = e.Test + ": " + msg
				}
				res.failures = append(res.failures, testFailure{File: file, Line: line, Message: msg})
			}
		}
	}
	sort.SliceStable(res.failures, func(i, j int) bool {
		if res.failures[i].File != res.failures[j].File {
			return res.failures[i].File < res.failures[j].File
		}
		return res.failures[i].Line < res.failures[j].Line
	})
	return res
}

func hasTestFailure(fs []testFailure, dir string) bool {
	for _, f := range fs {
		if filepath.Dir(f.File) == dir {
			return true
		}
	}
	return false
}

// mentionsFailure tells whether a package's own output reports a problem
// (a build failure, a panic outside tests) rather than failed tests.
func mentionsFailure(lines []string) bool {
	for _, l := range lines {
		if failureLine.MatchString(strings.TrimRight(l, "\n")) || strings.Contains(l, "[build failed]") || strings.Contains(l, "[setup failed]") {
			return true
		}
	}
	return false
}

// packageDirs maps the import paths of the packages a pattern matches to
// their directories.
func (s *Server) packageDirs(ctx context.Context, dir, pattern, overlay string) (map[string]string, error) {
	args := []string{"list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}"}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.CommandContext(ctx, s.opts.GoCommand, append(args, pattern)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s in %s: %v: %s", pattern, dir, err, strings.TrimSpace(stderr.String()))
	}
	dirs := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, d, ok := strings.Cut(line, "\t"); ok {
			dirs[path] = d
		}
	}
	return dirs, nil
}

// testVariant matches the suffix go test gives a package built with its
// tests (" [p.test]").
var testVariant = regexp.MustCompile(` \[[^\]]*\]$`)

// writeOverlay writes the open buffers of a Go module that differ from
// disk to temporary files and returns a `go build -overlay` file naming
// them ("" when there are none), so that tests run on what the editor
// shows, and a map from each copy back to the file it stands for.
func (s *Server) writeOverlay(root string) (string, map[string]string, func(), error) {
	s.mu.Lock()
	buffers := map[string][]byte{}
	for path, d := range s.docs {
		// Only compiled files: go test does not overlay files read at run
		// time or embedded.
		if within(root, path) && strings.HasSuffix(path, ".go") {
			buffers[path] = d.text
		}
	}
	s.mu.Unlock()
	replace := map[string]string{}
	copies := map[string]string{}
	tmp := ""
	cleanup := func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	for path, text := range buffers {
		if disk, err := os.ReadFile(path); err == nil && bytes.Equal(disk, text) {
			continue
		}
		if tmp == "" {
			var err error
			if tmp, err = os.MkdirTemp("", "modls-overlay-"); err != nil {
				return "", nil, cleanup, err
			}
		}
		f := filepath.Join(tmp, fmt.Sprintf("%d-%s", len(replace), filepath.Base(path)))
		if err := os.WriteFile(f, text, 0o600); err != nil {
			return "", nil, cleanup, err
		}
		replace[path] = f
		copies[f] = path
	}
	if len(replace) == 0 {
		return "", nil, cleanup, nil
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", nil, cleanup, err
	}
	overlay := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlay, data, 0o600); err != nil {
		return "", nil, cleanup, err
	}
	return overlay, copies, cleanup, nil
}
