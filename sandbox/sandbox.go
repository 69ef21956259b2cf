package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modls/modls/internal/confine"
	"github.com/modls/modls/workspace"
)

// Mode selects what a run does.
type Mode string

// The modes of a run.
const (
	// ModeAll runs the integration checks, then the module's integration
	// tests.
	ModeAll Mode = "all"
	// ModeIntegration runs the integration checks only.
	ModeIntegration Mode = "integration"
	// ModeTestAPI boots the set and runs the endpoint and error checks only.
	ModeTestAPI Mode = "test-api"
	// ModeRunTests runs the module's integration tests only.
	ModeRunTests Mode = "run-tests"
)

// DefaultTimeout bounds each run of module code when Options.Timeout is 0.
const DefaultTimeout = 60 * time.Second

// Options say what to run.
type Options struct {
	// Dir is any directory inside the Go module, preferably inside the
	// application that holds the module.
	Dir string
	// Module is the target module's name, "standard.analytics".
	Module string
	// Overlay maps absolute file names to unsaved contents that replace (or
	// add to) the files on disk in the copy.
	Overlay map[string][]byte
	// Mode is what to run; "" means ModeAll.
	Mode Mode
	// Timeout bounds each run of module code (the harness, each test
	// binary); 0 means DefaultTimeout. Builds are bounded by ctx only.
	Timeout time.Duration
	// Keep leaves the sandbox directory in place; Result.Dir names it.
	Keep bool
	// Stdout and Stderr receive the output of module code and of the
	// builds; nil discards it.
	Stdout, Stderr io.Writer
	// Network gives module code the host's network (modls sandbox
	// --network); Result.Isolation records it. Without it module code has
	// only the loopback of its own network namespace.
	Network bool
	// Limits bound module code's memory, processes and threads, disk and
	// output; a zero field takes its default (Limits.WithDefaults).
	Limits Limits
	// Strict refuses to run module code when a layer of isolation is
	// unavailable (--isolation=strict): the check "sandbox isolation"
	// fails, naming the layers missing and why.
	Strict bool
	// Status, if not nil, is told what the run is doing as each long step
	// starts ("building the harness: ..."), and "" when it is done, for a
	// caller that shows it while the user waits.
	Status func(what string)

	// For the sandbox's own tests and benchmark: the layers not to apply
	// (confine.Policy.Disable), the unprivileged user to confine module
	// code as while the caller (root) builds, and where to make the
	// sandbox.
	disable []string
	runAs   *confine.Credential
	// base is where the sandbox directory is made; "" is os.TempDir().
	base string
}

// Limits bound what module code uses: see internal/confine.
type Limits = confine.Limits

// Isolation is the isolation report of a run: each layer of confinement,
// in force or why not, the user module code ran as, whether it had the
// network, and the limits.
type Isolation = confine.Report

// Status of a check.
const (
	StatusPass = "pass"
	StatusFail = "fail"
	StatusSkip = "skip"
)

// Check is the outcome of one check.
type Check struct {
	Name     string        `json:"name"`
	Status   string        `json:"status"`
	Duration time.Duration `json:"duration_ns"`
	Message  string        `json:"message,omitempty"`
	// File (absolute, in the real workspace) and Line point at the code a
	// failure concerns, where one applies.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Phase is the wall time of one step of a run.
type Phase struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration_ns"`
}

// Result is the outcome of a run.
type Result struct {
	Module string `json:"module"`
	// Set is the module set booted: the target and its dependencies, in
	// dependency order (the core modules are always present besides).
	Set    []string `json:"set"`
	Checks []Check  `json:"checks"`
	Passed bool     `json:"passed"`
	// Dir is the sandbox directory, when Options.Keep is set.
	Dir      string        `json:"dir,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Phases is where the time went: copy, build, checks, tests, cleanup.
	Phases []Phase `json:"phases"`
	// Isolation is the report of the first run of module code; nil when
	// none ran (the build failed).
	Isolation *Isolation `json:"isolation"`
}

// Run runs the sandbox for one module. progress, if not nil, is called with
// each check as it finishes. The error is for problems of usage or set-up
// (an unknown module, a missing or cyclic dependency, no go.mod, a failed
// copy); failed checks are in the Result.
func Run(ctx context.Context, opts Options, progress func(Check)) (*Result, error) {
	start := time.Now()
	if opts.Module == "" {
		return nil, errors.New("no module given")
	}
	switch opts.Mode {
	case "":
		opts.Mode = ModeAll
	case ModeAll, ModeIntegration, ModeTestAPI, ModeRunTests:
	default:
		return nil, fmt.Errorf("unknown mode %q; want all, integration, test-api or run-tests", opts.Mode)
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("timeout %v is negative", opts.Timeout)
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	// Builds run in parallel and processes write as they please: the
	// caller's writers see one write at a time.
	lock := &sync.Mutex{}
	opts.Stdout = &lockedWriter{mu: lock, w: opts.Stdout}
	opts.Stderr = &lockedWriter{mu: lock, w: opts.Stderr}
	root, err := workspace.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	ws, err := workspace.Load(root, workspace.Overlay(opts.Overlay))
	if err != nil {
		return nil, err
	}
	target, err := findModule(ws, dir, opts.Module)
	if err != nil {
		return nil, err
	}
	set, err := ModuleSet(target)
	if err != nil {
		return nil, err
	}
	goenv, err := goEnv(ctx)
	if err != nil {
		return nil, err
	}

	base := opts.base
	if base == "" {
		base = os.TempDir()
	}
	sweep(base)
	p := confine.Policy{Confine: true, RunAs: opts.runAs}
	uid, gid := p.Identity()
	sb, err := create(base, uid, gid)
	if err != nil {
		return nil, fmt.Errorf("creating the sandbox: %w", err)
	}
	r := &runner{opts: opts, ws: ws, target: target, set: set, sb: sb, goenv: goenv, progress: progress,
		res: &Result{Module: target.Name()}}
	for _, m := range set {
		r.res.Set = append(r.res.Set, m.Name())
	}
	defer func() {
		t := time.Now()
		r.status("removing the sandbox")
		defer r.status("")
		sb.killAll()
		if opts.Keep {
			r.res.Dir = sb.dir
			sb.release()
		} else {
			sb.remove()
		}
		r.phase("cleanup", t)
		r.res.Duration = time.Since(start)
	}()
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	r.res.Passed = !slices.ContainsFunc(r.res.Checks, func(c Check) bool { return c.Status == StatusFail })
	return r.res, nil
}

// findModule finds the module named name, preferring the application that
// holds dir.
func findModule(ws *workspace.Workspace, dir, name string) (*workspace.Module, error) {
	var found []*workspace.Module
	for _, a := range ws.Apps {
		if m := a.ByName(name); m != nil {
			if dir == a.Dir || strings.HasPrefix(dir, a.Dir+string(filepath.Separator)) {
				return m, nil
			}
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, unknownModule(ws, dir, name)
	}
	return nil, fmt.Errorf("module %s is in more than one application (%s, %s); run from inside one", name, found[0].App.Dir, found[1].App.Dir)
}

// UnknownModuleError is the error of a module name that no application
// holds: it lists the modules of the application that holds the directory
// the sandbox was asked to run in or, when none does, of each application
// under it.
type UnknownModuleError struct {
	Name string
	// Dir is the directory the sandbox was asked to run in (absolute).
	Dir string
	// Apps are the applications whose modules are listed, each with its
	// module names, sorted and once each.
	Apps []KnownApp
}

// KnownApp is an application and the names of its modules.
type KnownApp struct {
	Dir     string
	Modules []string
}

func (e *UnknownModuleError) Error() string { return e.Format(func(p string) string { return p }) }

// Format is the error's message with each directory named by name (the
// command line names them relative to where it runs).
func (e *UnknownModuleError) Format(name func(string) string) string {
	switch len(e.Apps) {
	case 0:
		return fmt.Sprintf("no module %s: %s holds no applications (modules/<type>/<name>/manifest.json)", e.Name, name(e.Dir))
	case 1:
		a := e.Apps[0]
		if len(a.Modules) == 0 {
			return fmt.Sprintf("no module %s: the application %s holds no modules", e.Name, name(a.Dir))
		}
		return fmt.Sprintf("no module %s in the application %s; its modules are %s", e.Name, name(a.Dir), strings.Join(a.Modules, ", "))
	}
	var apps []string
	for _, a := range e.Apps {
		apps = append(apps, fmt.Sprintf("%s (%s)", name(a.Dir), strings.Join(a.Modules, ", ")))
	}
	return fmt.Sprintf("no module %s in the applications under %s: %s; --dir chooses one", e.Name, name(e.Dir), strings.Join(apps, "; "))
}

// unknownModule lists what the user could have meant: the modules of the
// application holding dir or, when dir holds several, of each of them
// (every application of the Go module when none is under dir).
func unknownModule(ws *workspace.Workspace, dir, name string) error {
	within := func(d, parent string) bool {
		return d == parent || strings.HasPrefix(d, parent+string(filepath.Separator))
	}
	var apps []*workspace.App
	for _, a := range ws.Apps {
		if within(dir, a.Dir) {
			apps = []*workspace.App{a}
			break
		}
		if within(a.Dir, dir) {
			apps = append(apps, a)
		}
	}
	if len(apps) == 0 {
		apps = ws.Apps
	}
	e := &UnknownModuleError{Name: name, Dir: dir}
	for _, a := range apps {
		var names []string
		for _, m := range a.Modules {
			names = append(names, m.Name())
		}
		slices.Sort(names)
		e.Apps = append(e.Apps, KnownApp{Dir: a.Dir, Modules: slices.Compact(names)})
	}
	slices.SortFunc(e.Apps, func(a, b KnownApp) int { return strings.Compare(a.Dir, b.Dir) })
	return e
}

// ModuleSet is the minimal set of modules a sandbox boots for target: the
// target and its declared dependencies, transitively, in dependency order
// (the core modules are the framework's own and always present). Heavy
// modules and every other module of the application are left out. A
// missing or cyclic dependency, or an unreadable manifest, is an error that
// names the chain.
func ModuleSet(target *workspace.Module) ([]*workspace.Module, error) {
	var order []*workspace.Module
	state := map[string]int{}
	var visit func(m *workspace.Module, chain []string) error
	visit = func(m *workspace.Module, chain []string) error {
		chain = append(chain, m.Name())
		switch state[m.Name()] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("dependency cycle: %s", strings.Join(chain, " → "))
		}
		if m.ManifestErr != nil {
			return fmt.Errorf("%s: %s: %v", m.Name(), m.ManifestPath, m.ManifestErr)
		}
		state[m.Name()] = 1
		for _, d := range m.Manifest.Dependencies {
			if workspace.IsCore(d) {
				continue
			}
			dep := m.App.ByName(d)
			if dep == nil {
				return fmt.Errorf("%s depends on %s, which is not in the application %s (dependency chain: %s)",
					m.Name(), d, m.App.Dir, strings.Join(append(slices.Clone(chain), d), " → "))
			}
			if err := visit(dep, chain); err != nil {
				return err
			}
		}
		state[m.Name()] = 2
		order = append(order, m)
		return nil
	}
	if err := visit(target, nil); err != nil {
		return nil, err
	}
	return order, nil
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
