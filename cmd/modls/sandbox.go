package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modls/modls/sandbox"
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
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.Usage()
			return nil
		}
		return usageErrorf("%v", err)
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
	absRun, _ := filepath.Abs(runDir)
	opts := sandbox.Options{Dir: runDir, Module: *module, Mode: mode, Timeout: *timeout, Keep: *keep}
	if *verbose {
		opts.Stdout, opts.Stderr = c.env.Stderr, c.env.Stderr
	}
	var mu sync.Mutex
	progress := func(ch sandbox.Check) {
		if *asJSON {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(c.env.Stdout, formatCheck(ch, absRun))
	}
	res, err := sandbox.Run(ctx, opts, progress)
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: 1, err: fmt.Errorf("interrupted; the sandbox and its processes are gone")}
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
		if res.Dir != "" {
			fmt.Fprintf(c.env.Stdout, "kept the sandbox at %s\n", res.Dir)
		}
	}
	if !res.Passed {
		return errSilentFailure
	}
	return nil
}

// formatCheck is one line of output: the mark, the name, the time, and the
// message and place of a failure or a skip.
func formatCheck(ch sandbox.Check, base string) string {
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
		file := ch.File
		if rel, err := filepath.Rel(base, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = rel
		}
		line += fmt.Sprintf("\n    %s:%d: %s", file, ch.Line, ch.Message)
	} else if ch.Message != "" {
		line += "\n    " + ch.Message
	}
	return line
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

Flags:
  --module NAME   the module to test, e.g. standard.analytics
  --run-tests     run only the module's integration tests
  --integration   run only the integration checks
  --test-api      run only the endpoint and error checks
  --json          print the result as one JSON object
  --keep          leave the sandbox directory and print its path
  --timeout D     time limit of each run of module code (default 1m)
  --dir DIR       a directory of the application (default ".")
  -v              show the output of the builds and of module code

Checks: module builds, module loads, services register, dependencies
resolve, settings load with defaults, GET <path> for every endpoint without
path parameters, integrity session round-trip, errors map to HTTP statuses,
module stops, then one check per integration test. Module code runs in its
own process group with a time limit, an environment without the user's
variables (HOME and TMPDIR inside the sandbox) and, where the kernel has
Landlock, no write access outside the sandbox. The real workspace is never
written; the sandbox and its processes are gone afterwards.

Output: a line per check as it finishes (✓ passed, ✗ failed with its
file:line and message, - skipped), then a summary with where the time went.

Exit status: 0 every check passed, 1 a check failed, 2 bad arguments or a
set-up error (unknown module, missing or cyclic dependency, no go.mod).

Examples:
  modls sandbox --module standard.analytics --dir examples/app
  modls sandbox --module standard.audit --test-api --json
  modls sandbox --module standard.reports --keep --timeout 20s
`)
}
