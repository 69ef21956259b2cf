package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modls/modls/internal/confine"
	"github.com/modls/modls/sandbox"
)

var (
	confineParseSize  = confine.ParseSize
	confineFormatSize = confine.FormatSize
)

// SandboxCommand runs a module's integration checks and tests in a
// sandbox (SPEC §5).
type SandboxCommand struct{ env env }

// Run parses the flags and runs the sandbox.
func (c *SandboxCommand) Run(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("modls sandbox", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	module := flags.String("module", "", "")
	dir := flags.String("dir", ".", "")
	runTests := flags.Bool("run-tests", false, "")
	integration := flags.Bool("integration", false, "")
	testAPI := flags.Bool("test-api", false, "")
	asJSON := flags.Bool("json", false, "")
	keep := flags.Bool("keep", false, "")
	verbose := flags.Bool("v", false, "")
	timeout := flags.Duration("timeout", sandbox.DefaultTimeout, "")
	network := flags.Bool("network", false, "")
	isolation := flags.String("isolation", "warn", "")
	limits := sandbox.Limits{}.WithDefaults()
	var sizeErr error
	size := func(name string, dst *int64) {
		flags.Func(name, "", func(v string) error {
			n, err := confine.ParseSize(v)
			if err != nil {
				sizeErr = fmt.Errorf("--%s: %v", name, err)
				return sizeErr
			}
			*dst = n
			return nil
		})
	}
	size("memory", &limits.Memory)
	size("disk", &limits.Disk)
	size("output", &limits.Output)
	flags.Func("procs", "", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 8 {
			sizeErr = fmt.Errorf("--procs: %q is not a number of processes of at least 8", v)
			return sizeErr
		}
		limits.Processes = n
		return nil
	})
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.Usage()
			return nil
		}
		if sizeErr != nil {
			return flagError("sandbox", sizeErr)
		}
		return flagError("sandbox", err)
	}
	if *isolation != "warn" && *isolation != "strict" {
		return usageErrorf("--isolation is warn or strict, not %q", *isolation)
	}
	if flags.NArg() > 0 {
		return usageErrorf("unexpected argument %q; sandbox takes flags only (--module NAME)", flags.Arg(0))
	}
	if *module == "" {
		return usageErrorf("--module is required (e.g. --module standard.analytics)")
	}
	if *timeout <= 0 {
		return usageErrorf("--timeout must be positive, not %v", *timeout)
	}
	mode := sandbox.ModeAll
	n := 0
	for _, m := range []struct {
		set  bool
		mode sandbox.Mode
	}{{*runTests, sandbox.ModeRunTests}, {*integration, sandbox.ModeIntegration}, {*testAPI, sandbox.ModeTestAPI}} {
		if m.set {
			mode = m.mode
			n++
		}
	}
	if n > 1 {
		return usageErrorf("--run-tests, --integration and --test-api exclude each other")
	}
	if *dir == "" {
		*dir = "."
	}
	runDir := *dir
	if !filepath.IsAbs(runDir) && c.env.Dir != "" {
		runDir = filepath.Join(c.env.Dir, runDir)
	}
	// Files are named as the user sees them: relative to the directory
	// modls runs in when under it, absolute otherwise.
	cwd := c.env.Dir
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	cwd, _ = filepath.Abs(cwd)
	opts := sandbox.Options{Dir: runDir, Module: *module, Mode: mode, Timeout: *timeout, Keep: *keep,
		Network: *network, Limits: limits, Strict: *isolation == "strict"}
	if *verbose {
		opts.Stdout, opts.Stderr = c.env.Stderr, c.env.Stderr
	}
	// What the run is doing, on a terminal only, with the lines of the
	// checks written above it (-v writes the builds' output to the
	// terminal: no status line then).
	status := newStatusLine(c.env.Stderr)
	if !*verbose {
		opts.Status = status.Set
	}
	defer status.Clear()
	var mu sync.Mutex
	progress := func(ch sandbox.Check) {
		if *asJSON {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		status.Above(func() { fmt.Fprintln(c.env.Stdout, formatCheck(ch, cwd)) })
	}
	res, err := sandbox.Run(ctx, opts, progress)
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: 1, err: fmt.Errorf("interrupted; the sandbox and its processes are gone")}
		}
		var unknown *sandbox.UnknownModuleError
		if errors.As(err, &unknown) {
			err = errors.New(unknown.Format(func(p string) string { return userPath(p, cwd) }))
		}
		return &exitError{code: 2, err: err}
	}
	if *asJSON {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		passed, failed, skipped := 0, 0, 0
		for _, ch := range res.Checks {
			switch ch.Status {
			case sandbox.StatusPass:
				passed++
			case sandbox.StatusFail:
				failed++
			default:
				skipped++
			}
		}
		verdict := "ok"
		if !res.Passed {
			verdict = "FAIL"
		}
		var phases []string
		for _, p := range res.Phases {
			phases = append(phases, fmt.Sprintf("%s %s", p.Name, round(p.Duration)))
		}
		fmt.Fprintf(c.env.Stdout, "%s %s: %d passed, %d failed, %d skipped in %s (%s)\n",
			verdict, res.Module, passed, failed, skipped, round(res.Duration), strings.Join(phases, ", "))
		if res.Isolation != nil {
			fmt.Fprintf(c.env.Stdout, "isolation: %s\n", isolationLine(res.Isolation))
		}
		if res.Dir != "" {
			fmt.Fprintf(c.env.Stdout, "kept the sandbox at %s\n", res.Dir)
		}
	}
	if res.Isolation != nil && !opts.Strict {
		if missing := res.Isolation.Missing(); len(missing) > 0 {
			var names []string
			for _, l := range missing {
				names = append(names, l.Name)
			}
			fmt.Fprintf(c.env.Stderr, "modls sandbox: warning: isolation without %s on this machine (see the isolation line; --isolation=strict refuses such runs)\n", strings.Join(names, ", "))
		}
	}
	if !res.Passed {
		return errSilentFailure
	}
	return nil
}

// isolationLine is the isolation report in one line: the user, the
// network, the limits, then each layer not in force and why.
func isolationLine(r *sandbox.Isolation) string {
	in := 0
	var other []string
	for _, l := range r.Layers {
		if l.Status == "in force" {
			in++
			continue
		}
		s := l.Name + " " + l.Status
		if l.Detail != "" {
			s += " (" + l.Detail + ")"
		}
		other = append(other, s)
	}
	network := "no network"
	if r.Network {
		network = "the host's network"
	}
	line := fmt.Sprintf("%d of %d layers in force, uid %d, %s; limits: memory %s, %d processes, disk %s, output %s",
		in, len(r.Layers), r.UID, network, confine.FormatSize(r.Limits.Memory), r.Limits.Processes, confine.FormatSize(r.Limits.Disk), confine.FormatSize(r.Limits.Output))
	if len(other) > 0 {
		line += "; " + strings.Join(other, "; ")
	}
	return line
}

// formatCheck is one line of output: the mark, the name, the time, and the
// message and place of a failure or a skip, its file relative to cwd when
// under it.
func formatCheck(ch sandbox.Check, cwd string) string {
	mark := "✓"
	switch ch.Status {
	case sandbox.StatusFail:
		mark = "✗"
	case sandbox.StatusSkip:
		mark = "-"
	}
	line := fmt.Sprintf("%s %s (%s)", mark, ch.Name, round(ch.Duration))
	if ch.Status == sandbox.StatusPass {
		return line
	}
	if ch.File != "" {
		file := userPath(ch.File, cwd)
		line += fmt.Sprintf("\n    %s:%d: %s", file, ch.Line, ch.Message)
	} else if ch.Message != "" {
		line += "\n    " + ch.Message
	}
	return line
}

// userPath names an absolute file as the user sees it from cwd: relative
// when it is under cwd, absolute otherwise.
func userPath(file, cwd string) string {
	if !filepath.IsAbs(file) || cwd == "" {
		return file
	}
	rel, err := filepath.Rel(cwd, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return rel
}

func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// Usage prints the command's help.
func (c *SandboxCommand) Usage() {
	fmt.Fprint(c.env.Stdout, `Sandbox proves that a module works inside a minimal copy of its
application: it copies the module, its dependencies and the packages they
import into a temporary directory, boots the framework with only those
modules on a temporary SQLite file, and runs the integration checks, then
the module's integration tests (_test.go files marked //go:build integration).

Usage:
  modls sandbox --module NAME [--run-tests | --integration | --test-api]
                [--json] [--keep] [--timeout D] [--dir DIR] [-v]
                [--network] [--isolation warn|strict]
                [--memory SIZE] [--procs N] [--disk SIZE] [--output SIZE]

Flags:
  --module NAME      the module to test, e.g. standard.analytics
  --run-tests        run only the module's integration tests
  --integration      run only the integration checks
  --test-api         run only the endpoint and error checks
  --json             print the result as one JSON object
  --keep             leave the sandbox directory and print its path
  --timeout D        time limit of each run of module code (default 1m)
  --dir DIR          a directory of the application (default ".")
  -v                 show the output of the builds and of module code
  --network          give module code the host's network (default: only
                     the loopback of its own network namespace)
  --isolation MODE   warn (default): run with the layers of isolation this
                     machine offers and warn about the others; strict:
                     refuse to run module code when a layer is missing
  --memory SIZE      memory of module code, all processes together
                     (default 1GiB)
  --procs N          processes and threads of module code (default 512)
  --disk SIZE        what module code may keep in its data directory
                     (default 512MiB)
  --output SIZE      standard output and error of each run (default 16MiB)

Checks: module builds, module loads, services register, dependencies
resolve, settings load with defaults, GET <path> for every endpoint without
path parameters, integrity session round-trip, errors map to HTTP statuses,
module stops, then one check per integration test. A run that hits a limit
fails "memory stays within the limit" (processes, disk, output likewise).

Isolation: module code (its package initialisation included) runs
confined from its first instruction: in its own user, mount, pid, network
and IPC namespaces, seeing only the system's libraries and the copy
(read-only) and writing only its data directory, a tmpfs; with Landlock,
seccomp, no capabilities, no_new_privs and the limits above. It cannot
outlive the run. The isolation line of the output (and "isolation" in
--json) says which layers held on this machine and why the others did
not. The real workspace is never written; the sandbox and its processes
are gone afterwards.

Output: a line per check as it finishes (✓ passed, ✗ failed with its
file:line, relative to the current directory when under it, and message,
- skipped), then a summary with where the time went. On a terminal, a
status line on standard error says what the run is copying, building and
running.

Exit status: 0 every check passed, 1 a check failed, 2 bad arguments or a
set-up error (unknown module, missing or cyclic dependency, no go.mod).

Examples:
  modls sandbox --module standard.analytics --dir examples/app
  modls sandbox --module standard.audit --test-api --json
  modls sandbox --module standard.reports --keep --timeout 20s
  modls sandbox --module standard.analytics --isolation strict --memory 256MiB
`)
}
