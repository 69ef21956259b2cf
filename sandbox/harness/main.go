// Package harness is the body of the program the sandbox builds inside
// each copy: it boots the framework with only the module set under test
// on a temporary SQLite file and runs the integration checks of SPEC §5,
// reporting one JSON line per event on file descriptor 3, which the
// sandbox's supervisor relays.
//
// The harness runs confined from its first instruction: the sandbox's
// launcher (internal/confine) applies every restriction and then execs
// it, so module code that the harness imports is confined from its
// package initialisation on. The harness itself confines nothing.
//
// The sandbox package embeds this directory and writes it into the copy,
// so that the harness always matches the modls that runs it, beside a
// generated main package that imports the set's packages and calls Main.
// The harness does not import module code: an edit of the module compiles
// again the small main package alone, and the harness comes from the
// build cache. It imports only the standard library and the framework.
// Its files, by concern: main.go (the plan, the events, the order of the
// checks), boot.go (which module and phase is running, and which check a
// failed boot belongs to), checks.go (services, dependencies, settings,
// endpoints, errors), roundtrip.go (the database round-trip), logs.go
// (the framework's log), reap.go (processes a module leaves behind).
package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/modls/modls/framework"
)

// plan is what the sandbox asks of one run; it mirrors sandbox.harnessPlan.
type plan struct {
	Target      string    `json:"target"`
	Sandbox     string    `json:"sandbox"`      // the only directory module code may write
	Database    string    `json:"database"`     // the SQLite file
	API         bool      `json:"api"`          // endpoint and error checks
	Full        bool      `json:"full"`         // every other check as well
	Codes       []codeUse `json:"codes"`        // error codes the module's code uses
	Lookups     []string  `json:"lookups"`      // services the module's code looks up
	Settings    bool      `json:"settings"`     // the manifest lists the settings feature
	HasDatabase bool      `json:"has_database"` // the manifest lists the database feature
	Visible     []string  `json:"visible"`      // what module code sees of the host besides the sandbox
}

// codeUse is one framework.Errorf code found in the module's source.
type codeUse struct {
	Code string `json:"code"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// event is one line on the events descriptor.
type event struct {
	Event    string `json:"event"` // begin, check, isolation, stray
	Check    string `json:"check,omitempty"`
	Activity string `json:"activity,omitempty"`
	Status   string `json:"status,omitempty"` // pass, fail, skip
	Duration int64  `json:"duration_ns,omitempty"`
	Message  string `json:"message,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Purpose  string `json:"purpose,omitempty"`
	Route    string `json:"route,omitempty"`
	Landlock bool   `json:"landlock,omitempty"`
	Stray    []proc `json:"stray,omitempty"`
}

var (
	eventsMu  sync.Mutex
	eventsOut io.Writer = os.Stdout
)

func emit(e event) {
	b, _ := json.Marshal(e)
	eventsMu.Lock()
	defer eventsMu.Unlock()
	eventsOut.Write(append(b, '\n'))
}

func begin(check, activity string) { emit(event{Event: "begin", Check: check, Activity: activity}) }

// modules builds the module set under test, in the order the application
// lists them: what Main was given.
var modules []func() framework.Module

// Main runs the harness with the module set that set builds, and exits.
func Main(set []func() framework.Module) {
	modules = set
	if f := os.NewFile(3, "events"); f != nil {
		if _, err := f.Stat(); err == nil {
			eventsOut = f
			syscall.CloseOnExec(3) // not for the processes module code starts
		}
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: harness plan.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	var p plan
	if err := json.Unmarshal(data, &p); err != nil {
		fmt.Fprintln(os.Stderr, "harness: plan:", err)
		os.Exit(2)
	}
	becomeSubreaper()
	os.Exit(runChecks(p))
}

// The checks, in the order they run.
const (
	checkLoads        = "module loads"
	checkServices     = "services register"
	checkDependencies = "dependencies resolve"
	checkSettings     = "settings load with defaults"
	checkInside       = "module stays inside the sandbox"
	checkRoundTrip    = "integrity session round-trip"
	checkErrors       = "errors map to HTTP statuses"
	checkStops        = "module stops"
)

// checker runs the checks of one plan against one booted runtime.
type checker struct {
	p       plan
	rt      *framework.Runtime
	logs    *logCapture
	failed  bool
	current string
}

func (c *checker) report(name string, start time.Time, status, msg string) {
	if status == "fail" {
		c.failed = true
	}
	emit(event{Event: "check", Check: name, Status: status, Duration: int64(time.Since(start)), Message: msg})
}

func (c *checker) reportEvent(e event, start time.Time) {
	if e.Status == "fail" {
		c.failed = true
	}
	e.Event = "check"
	e.Duration = int64(time.Since(start))
	emit(e)
}

func runChecks(p plan) int {
	c := &checker{p: p, logs: &logCapture{}}
	ctx := context.Background()
	cfg := framework.Config{
		Database: p.Database,
		Addr:     "127.0.0.1:0",
		Logger:   slog.New(c.logs),
	}
	var mods []framework.Module
	for _, newModule := range modules {
		mods = append(mods, track(newModule()))
	}
	start := time.Now()
	begin(checkLoads, "booting "+p.Target)
	rt, err := framework.Boot(ctx, cfg, mods...)
	if err != nil {
		name, msg := classifyBootError(err, p)
		e := event{Check: name, Status: "fail", Message: msg}
		if loc := panicLocation(err); loc.file != "" {
			e.File, e.Line = loc.file, loc.line
		}
		c.reportEvent(e, start)
		reapStrays()
		return 1
	}
	c.rt = rt
	c.report(checkLoads, start, "pass", fmt.Sprintf("%d modules set up and started", len(rt.Modules())))
	if p.Full {
		c.run(checkServices, c.services)
		c.run(checkDependencies, c.dependencies)
		c.run(checkSettings, c.settings)
	}
	if p.API || p.Full {
		c.endpoints()
	}
	if p.Full {
		c.run(checkRoundTrip, c.roundTrip)
	}
	if p.API || p.Full {
		c.run(checkErrors, c.errors)
	}
	c.run(checkStops, func() event {
		if err := rt.Close(ctx); err != nil {
			return fail("%v", err)
		}
		if strays := reapStrays(); len(strays) > 0 {
			var names []string
			for i, p := range strays {
				if i == 3 {
					names = append(names, fmt.Sprintf("%d more", len(strays)-3))
					break
				}
				names = append(names, fmt.Sprintf("%s (pid %d)", p.Cmd, p.PID))
			}
			return fail("%s still running after Stop; stop the processes the module starts in its Stop method", strings.Join(names, ", "))
		}
		return pass("stopped and closed the database")
	})
	if c.failed {
		return 1
	}
	return 0
}

// run runs and reports one check.
func (c *checker) run(name string, fn func() event) {
	begin(name, "")
	start := time.Now()
	e := fn()
	e.Check = name
	c.reportEvent(e, start)
}

func pass(format string, args ...any) event {
	return event{Status: "pass", Message: fmt.Sprintf(format, args...)}
}

func fail(format string, args ...any) event {
	return event{Status: "fail", Message: fmt.Sprintf(format, args...)}
}

func skip(msg string) event { return event{Status: "skip", Message: msg} }
