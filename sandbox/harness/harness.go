// Command harness is the program the sandbox builds inside each copy: it
// boots the framework with only the module set under test on a temporary
// SQLite file and runs the integration checks of SPEC §5, reporting one JSON
// line per event on file descriptor 3. Run as "harness -exec dir -- cmd
// args", it confines cmd (a module's integration test binary) the same way
// and reports the processes cmd leaves behind.
//
// The sandbox package embeds this file and writes it, with a generated
// modules.go, into the copy, so that the harness always matches the modls
// that runs it. It imports only the standard library and the framework.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

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
	NoLandlock  bool      `json:"no_landlock"`  // for tests of the sandbox: do not confine
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

type proc struct {
	PID int    `json:"pid"`
	Cmd string `json:"cmd"`
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

func main() {
	if f := os.NewFile(3, "events"); f != nil {
		if _, err := f.Stat(); err == nil {
			eventsOut = f
			syscall.CloseOnExec(3) // not for the processes module code starts
		}
	}
	if len(os.Args) >= 4 && (os.Args[1] == "-exec" || os.Args[1] == execNoLandlock) && os.Args[3] == "--" {
		os.Exit(execConfined(os.Args[2], os.Args[1] == execNoLandlock, os.Args[4:]))
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: harness plan.json | harness -exec sandbox-dir -- command [args]")
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
	ll := errNoLandlock
	if !p.NoLandlock {
		ll = confine(p.Sandbox)
	}
	emit(event{Event: "isolation", Landlock: ll == nil, Message: errString(ll)})
	os.Exit(runChecks(p))
}

// execNoLandlock is -exec without Landlock, for the tests of the sandbox's
// fallback (the runner's comparison of the workspace).
const execNoLandlock = "-exec-no-landlock"

var errNoLandlock = errors.New("landlock disabled for testing")

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// execConfined runs a command confined to dir, waits for it and for nothing
// it started: processes it leaves behind are reported and killed.
func execConfined(dir string, noLandlock bool, args []string) int {
	becomeSubreaper()
	ll := errNoLandlock
	if !noLandlock {
		ll = confine(dir)
	}
	emit(event{Event: "isolation", Landlock: ll == nil, Message: errString(ll)})
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, os.Stdout, os.Stderr
	signal.Ignore(syscall.SIGINT) // the sandbox stops the whole group itself
	// At the time limit the whole group gets SIGQUIT: the stack that
	// matters is the test binary's, which must not be interleaved with
	// this process's own. (A handled signal, unlike an ignored one, is
	// reset to its default in cmd.)
	signal.Notify(make(chan os.Signal, 1), syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 127
	}
	err := cmd.Wait()
	code := 0
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		code = xe.ExitCode()
		if code < 0 {
			code = 128 + int(xe.Sys().(syscall.WaitStatus).Signal())
		}
	} else if err != nil {
		code = 1
	}
	reapStrays()
	return code
}

// reapStrays reports the processes still descending from this one, kills
// them and waits for them.
func reapStrays() []proc {
	strays := descendants(os.Getpid())
	if len(strays) == 0 {
		return nil
	}
	emit(event{Event: "stray", Stray: strays})
	for _, p := range strays {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err != nil { // ECHILD: nothing left to wait for
			break
		}
		if pid == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return strays
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []proc {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], id)
	}
	var out []proc
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
			out = append(out, proc{PID: c, Cmd: strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))})
			walk(c)
		}
	}
	walk(pid)
	return out
}

func becomeSubreaper() {
	const prSetChildSubreaper = 36
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
}

// Landlock (Linux 5.13 and later): the system calls have the same numbers on
// every architecture.
const (
	sysLandlockCreateRuleset = 444
	sysLandlockAddRule       = 445
	sysLandlockRestrictSelf  = 446

	landlockRulePathBeneath = 1
	oPath                   = 0x200000 // O_PATH

	accessWriteFile  = 1 << 1
	accessRemoveDir  = 1 << 4
	accessRemoveFile = 1 << 5
	accessMakeChar   = 1 << 6
	accessMakeDir    = 1 << 7
	accessMakeReg    = 1 << 8
	accessMakeSock   = 1 << 9
	accessMakeFifo   = 1 << 10
	accessMakeBlock  = 1 << 11
	accessMakeSym    = 1 << 12
	accessRefer      = 1 << 13 // ABI 2
	accessTruncate   = 1 << 14 // ABI 3
)

// confine lets this process and everything it starts write only inside dir
// (and to /dev/null): every other write fails with EACCES. Reads are not
// restricted. It fails where Landlock is unavailable.
func confine(dir string) error {
	abi, _, errno := syscall.Syscall(sysLandlockCreateRuleset, 0, 0, 1) // LANDLOCK_CREATE_RULESET_VERSION
	if errno != 0 {
		return fmt.Errorf("landlock unavailable: %v", errno)
	}
	handled := uint64(accessWriteFile | accessRemoveDir | accessRemoveFile | accessMakeChar | accessMakeDir |
		accessMakeReg | accessMakeSock | accessMakeFifo | accessMakeBlock | accessMakeSym)
	if abi >= 2 {
		handled |= accessRefer
	}
	if abi >= 3 {
		handled |= accessTruncate
	}
	attr := struct{ handledFS uint64 }{handled}
	fd, _, errno := syscall.Syscall(sysLandlockCreateRuleset, uintptr(unsafe.Pointer(&attr)), 8, 0)
	if errno != 0 {
		return fmt.Errorf("landlock_create_ruleset: %v", errno)
	}
	defer syscall.Close(int(fd))
	allow := func(path string, access uint64) error {
		f, err := os.OpenFile(path, os.O_RDONLY|oPath|syscall.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		rule := struct {
			allowed uint64
			parent  int32
			_       int32
		}{allowed: access, parent: int32(f.Fd())}
		if _, _, errno := syscall.Syscall6(sysLandlockAddRule, fd, landlockRulePathBeneath, uintptr(unsafe.Pointer(&rule)), 0, 0, 0); errno != 0 {
			return fmt.Errorf("landlock_add_rule %s: %v", path, errno)
		}
		return nil
	}
	if err := allow(dir, handled); err != nil {
		return err
	}
	fileRights := uint64(accessWriteFile)
	if abi >= 3 {
		fileRights |= accessTruncate
	}
	if err := allow("/dev/null", fileRights); err != nil {
		return err
	}
	const prSetNoNewPrivs = 38
	if _, _, errno := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %v", errno)
	}
	if _, _, errno := syscall.AllThreadsSyscall(sysLandlockRestrictSelf, fd, 0, 0); errno != 0 {
		return fmt.Errorf("landlock_restrict_self: %v", errno)
	}
	return nil
}

// The checks, in the order they run.
const (
	checkLoads        = "module loads"
	checkServices     = "services register"
	checkDependencies = "dependencies resolve"
	checkSettings     = "settings load with defaults"
	checkWrites       = "writes stay inside the sandbox"
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
		name, msg := classifyBootError(err)
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
			return fail("%s is still running after Stop (pid %d); stop the processes the module starts in its Stop method", strays[0].Cmd, strays[0].PID)
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

// classifyBootError names the check a failed boot belongs to.
func classifyBootError(err error) (check, msg string) {
	msg = err.Error()
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe) && errors.Is(err, fs.ErrPermission), strings.Contains(msg, ": permission denied"), strings.Contains(msg, "read-only file system"):
		return checkWrites, msg + "; module code may write only inside the sandbox (os.TempDir(), $HOME, the working directory): take the path from settings or use os.TempDir()"
	case strings.Contains(msg, "settings"):
		return checkSettings, msg
	case strings.Contains(msg, "dependency") || strings.Contains(msg, "depends on") ||
		strings.Contains(msg, "no module provides service") || strings.Contains(msg, "(in Start)") && strings.Contains(msg, "service"):
		return checkDependencies, msg
	case strings.Contains(msg, "service") && strings.Contains(msg, "Setup"):
		return checkServices, msg
	}
	return checkLoads, msg
}

// tracked wraps a module to report which phase of which module is running,
// and where a panic in it came from.
type tracked struct {
	framework.Module
	name string
}

type trackedStopper struct{ *tracked }

func (t trackedStopper) Stop(ctx context.Context) error {
	begin(checkStops, t.name+" Stop")
	return t.Module.(framework.Stopper).Stop(ctx)
}

func track(m framework.Module) framework.Module {
	man, err := framework.ParseManifest(m.Manifest())
	if err != nil {
		return m // Boot reports the manifest
	}
	t := &tracked{Module: m, name: man.Name}
	if _, ok := m.(framework.Stopper); ok {
		return trackedStopper{t}
	}
	return t
}

var (
	panicMu    sync.Mutex
	panicStack []byte
)

func recordPanic() {
	if r := recover(); r != nil {
		panicMu.Lock()
		panicStack = debug.Stack()
		panicMu.Unlock()
		panic(r)
	}
}

func (t *tracked) Setup(s *framework.Setup) error {
	begin(checkLoads, t.name+" Setup")
	defer recordPanic()
	return t.Module.Setup(s)
}

func (t *tracked) Start(ctx context.Context, app *framework.App) error {
	begin(checkLoads, t.name+" Start")
	defer recordPanic()
	return t.Module.Start(ctx, app)
}

type location struct {
	file string
	line int
}

// frameRE matches a stack frame's file line; with -trimpath the file is an
// import path.
var frameRE = regexp.MustCompile(`(?m)^\t(\S+\.go):(\d+)`)

// panicLocation is the first frame of a recorded panic outside the runtime,
// the framework and this harness.
func panicLocation(err error) location {
	if !strings.Contains(err.Error(), "panic") {
		return location{}
	}
	panicMu.Lock()
	defer panicMu.Unlock()
	return firstModuleFrame(string(panicStack))
}

func firstModuleFrame(stack string) location {
	for _, m := range frameRE.FindAllStringSubmatch(stack, -1) {
		f := m[1]
		if !strings.Contains(f, "/") || strings.HasPrefix(f, "runtime/") || strings.Contains(f, "/framework/") ||
			strings.Contains(f, "modls_sandbox_harness/") || strings.HasPrefix(filepath.Base(filepath.Dir(f)), "debug") {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		return location{file: f, line: n}
	}
	return location{}
}

func (c *checker) services() event {
	man := c.manifest()
	byName := map[string]framework.ServiceInfo{}
	for _, s := range c.rt.Services() {
		byName[s.Name] = s
	}
	if len(man.Services) == 0 {
		return skip("the manifest lists no services")
	}
	var parts []string
	for _, name := range man.Services {
		s, ok := byName[name]
		if !ok || s.Module != c.p.Target {
			return fail("service %q is not registered by %s", name, c.p.Target)
		}
		parts = append(parts, fmt.Sprintf("%s (%d methods)", name, len(s.Methods)))
	}
	return pass("%s", strings.Join(parts, ", "))
}

func (c *checker) manifest() framework.Manifest {
	for _, m := range c.rt.Modules() {
		if m.Name == c.p.Target {
			return m.Manifest
		}
	}
	return framework.Manifest{}
}

func (c *checker) dependencies() event {
	man := c.manifest()
	present := map[string]bool{}
	for _, m := range c.rt.Modules() {
		present[m.Name] = true
	}
	for _, d := range man.Dependencies {
		if !present[d] {
			return fail("dependency %s is not in the application", d)
		}
	}
	provider := map[string]string{}
	for _, s := range c.rt.Services() {
		provider[s.Name] = s.Module
	}
	declared := map[string]bool{c.p.Target: true}
	for _, d := range append(man.Dependencies, framework.CoreModules...) {
		declared[d] = true
	}
	var parts []string
	for _, name := range c.p.Lookups {
		mod, ok := provider[name]
		if !ok {
			return fail("no module of the set provides service %q, which %s looks up", name, c.p.Target)
		}
		if !declared[mod] {
			return fail("service %q is provided by %s, which %s does not declare in manifest.json \"dependencies\"", name, mod, c.p.Target)
		}
		parts = append(parts, name+" from "+mod)
	}
	if len(man.Dependencies) == 0 && len(parts) == 0 {
		return pass("only the core modules")
	}
	msg := strings.Join(man.Dependencies, ", ")
	if len(parts) > 0 {
		if msg != "" {
			msg += "; "
		}
		msg += strings.Join(parts, ", ")
	}
	return pass("%s", msg)
}

func (c *checker) settings() event {
	app, err := c.rt.App(c.p.Target)
	if err != nil {
		return fail("%v", err)
	}
	svc, err := framework.Service[*framework.SettingsService](app, "settings.service")
	if err != nil {
		return fail("%v", err)
	}
	v, err := svc.Of(c.p.Target)
	if err != nil {
		if c.p.Settings {
			return fail("the manifest lists the settings feature but Setup loads no settings (call framework.Settings[T](s))")
		}
		return skip("the module declares no settings")
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	n := 0
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		def, ok := f.Tag.Lookup("default")
		if !f.IsExported() || !ok {
			continue
		}
		want := reflect.New(f.Type).Elem()
		if err := framework.SetSettingString(want, def); err != nil {
			return fail("field %s: default %q does not parse: %v", f.Name, def, err)
		}
		if !reflect.DeepEqual(want.Interface(), rv.Field(i).Interface()) {
			return fail("field %s is %v, not its default %q, with no config and no APP_ variables", f.Name, rv.Field(i).Interface(), def)
		}
		n++
	}
	return pass("%d fields at their defaults", n)
}

// endpoints checks every parameterless GET endpoint of the module.
func (c *checker) endpoints() {
	var any bool
	for _, r := range c.rt.Routes(c.p.Target) {
		if r.Method != http.MethodGet || strings.Contains(r.Path, "{") {
			continue
		}
		any = true
		path := framework.MountPath(c.p.Target, r.Path)
		name := "GET " + path
		begin(name, "")
		start := time.Now()
		e := c.get(path, r.Response)
		e.Check, e.Route = name, r.Path
		c.reportEvent(e, start)
	}
	if !any {
		begin("GET endpoints", "")
		c.report("GET endpoints", time.Now(), "skip", "the module declares no GET endpoint without path parameters")
	}
}

func (c *checker) get(path string, model reflect.Type) event {
	mark := c.logs.mark()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	c.rt.Handler().ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK {
		msg := fmt.Sprintf("answered %d", rec.Code)
		var eb framework.ErrorBody
		if json.Unmarshal(body, &eb) == nil && eb.Error.Code != "" {
			msg += fmt.Sprintf(" (%s: %s)", eb.Error.Code, eb.Error.Message)
		}
		if cause := c.logs.since(mark); cause != "" {
			msg += "; " + cause
		}
		return fail("%s; want 200", msg)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	v := reflect.New(model).Interface()
	if err := dec.Decode(v); err != nil {
		return fail("answered 200, but the body does not decode as %s: %v", model, err)
	}
	return pass("200 %s", model)
}

// errSentinel makes the round-trip session roll back.
var errSentinel = errors.New("modls sandbox: roll back")

const roundTripPurpose = "modls sandbox round-trip"

// roundTrip checks the module's own sessions so far and runs one of its own
// on the module's tables: synthesized rows are written, read back and rolled
// back, then an empty session commits; the integrity log must show both.
func (c *checker) roundTrip() event {
	ctx := context.Background()
	app, err := c.rt.App(c.p.Target)
	if err != nil {
		return fail("%v", err)
	}
	db := app.DB()
	log, err := db.IntegrityLog(ctx, 1000)
	if err != nil {
		return fail("reading the integrity log: %v", err)
	}
	for _, r := range log {
		if r.Outcome == framework.OutcomeRolledBack && (strings.Contains(strings.ToLower(r.Error), "foreign key") || strings.Contains(r.Error, "panicked")) {
			e := fail("integrity session %q was rolled back: %s; write the referenced row first (or in the same session), and do not ignore the session's error", r.Purpose, r.Error)
			if strings.Contains(r.Error, "panicked") {
				e = fail("integrity session %q was rolled back: %s", r.Purpose, r.Error)
			}
			e.Purpose = r.Purpose
			return e
		}
	}
	short := framework.ShortName(c.p.Target)
	tables, err := ownTables(ctx, db, short)
	if err != nil {
		return fail("%v", err)
	}
	if len(tables) == 0 {
		if c.p.HasDatabase {
			return fail("the manifest lists the database feature but the module created no table named %s_...", short)
		}
		return skip("the module owns no tables")
	}
	before := map[string]int64{}
	for _, t := range tables {
		before[t.name], err = count(ctx, db, t.name)
		if err != nil {
			return fail("%v", err)
		}
	}
	var written, notes []string
	err = db.IntegritySession(ctx, roundTripPurpose, func(tx *framework.Tx) error {
		rowids := map[string]int64{}
		for _, t := range tables {
			id, err := t.insert(tx, rowids)
			if err != nil {
				notes = append(notes, fmt.Sprintf("no row synthesized for %s (%v)", t.name, err))
				continue
			}
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM "`+t.name+`" WHERE rowid = ?`, id).Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("reading back the row written to %s: %v", t.name, err)
			}
			rowids[t.name] = id
			written = append(written, t.name)
		}
		return errSentinel
	})
	if !errors.Is(err, errSentinel) {
		return fail("the round-trip session did not roll back as asked: %v", err)
	}
	for _, t := range tables {
		n, err := count(ctx, db, t.name)
		if err != nil {
			return fail("%v", err)
		}
		if n != before[t.name] {
			return fail("%s has %d rows after a rolled-back session, %d before", t.name, n, before[t.name])
		}
	}
	if err := db.IntegritySession(ctx, roundTripPurpose, func(*framework.Tx) error { return nil }); err != nil {
		return fail("an empty session failed to commit: %v", err)
	}
	log, err = db.IntegrityLog(ctx, 2)
	if err != nil || len(log) != 2 || log[0].Outcome != framework.OutcomeCommitted || log[1].Outcome != framework.OutcomeRolledBack {
		return fail("the integrity log does not record the rolled-back and the committed session: %v %v", log, err)
	}
	msg := fmt.Sprintf("%d tables; rolled back rows of %s; committed; both logged", len(tables), strings.Join(written, ", "))
	if len(written) == 0 {
		msg = fmt.Sprintf("%d tables read; rolled back; committed; both logged", len(tables))
	}
	if len(notes) > 0 {
		msg += "; " + strings.Join(notes, "; ")
	}
	return pass("%s", msg)
}

type column struct {
	name, typ     string
	notNull, hasD bool
	pk            int
}

type foreignKey struct{ table, from, to string }

type table struct {
	name, sql string
	cols      []column
	fks       []foreignKey
}

func count(ctx context.Context, db *framework.DB, name string) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `SELECT count(*) FROM "`+name+`"`).Scan(&n)
	return n, err
}

// ownTables lists the module's tables, parents before the tables that
// reference them.
func ownTables(ctx context.Context, db *framework.DB, short string) ([]*table, error) {
	rows, err := db.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\' ORDER BY name`,
		strings.ReplaceAll(short, "_", `\_`)+`\_%`)
	if err != nil {
		return nil, err
	}
	var all []*table
	for rows.Next() {
		t := &table{}
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, t)
	}
	rows.Close()
	byName := map[string]*table{}
	for _, t := range all {
		byName[t.name] = t
		cr, err := db.Query(ctx, `SELECT name, type, "notnull", dflt_value IS NOT NULL, pk FROM pragma_table_info(?)`, t.name)
		if err != nil {
			return nil, err
		}
		for cr.Next() {
			var col column
			if err := cr.Scan(&col.name, &col.typ, &col.notNull, &col.hasD, &col.pk); err != nil {
				cr.Close()
				return nil, err
			}
			t.cols = append(t.cols, col)
		}
		cr.Close()
		fr, err := db.Query(ctx, `SELECT "table", "from", coalesce("to", '') FROM pragma_foreign_key_list(?)`, t.name)
		if err != nil {
			return nil, err
		}
		for fr.Next() {
			var fk foreignKey
			if err := fr.Scan(&fk.table, &fk.from, &fk.to); err != nil {
				fr.Close()
				return nil, err
			}
			t.fks = append(t.fks, fk)
		}
		fr.Close()
	}
	var ordered []*table
	state := map[string]int{}
	var visit func(t *table)
	visit = func(t *table) {
		if state[t.name] != 0 {
			return
		}
		state[t.name] = 1
		for _, fk := range t.fks {
			if p, ok := byName[fk.table]; ok && p != t {
				visit(p)
			}
		}
		state[t.name] = 2
		ordered = append(ordered, t)
	}
	for _, t := range all {
		visit(t)
	}
	return ordered, nil
}

// insert writes one synthesized row: every NOT NULL column without a
// default gets a value of its type, the first value of an IN (...) check,
// or the key of a row it references.
func (t *table) insert(tx *framework.Tx, rowids map[string]int64) (int64, error) {
	var names []string
	var args []any
	singlePK := 0
	for _, c := range t.cols {
		if c.pk > 0 {
			singlePK++
		}
	}
	for _, c := range t.cols {
		if !c.notNull || c.hasD || (c.pk == 1 && singlePK == 1 && strings.EqualFold(c.typ, "INTEGER")) {
			continue
		}
		v, err := t.value(tx, c, rowids)
		if err != nil {
			return 0, err
		}
		names = append(names, `"`+c.name+`"`)
		args = append(args, v)
	}
	q := `INSERT INTO "` + t.name + `" DEFAULT VALUES`
	if len(names) > 0 {
		q = `INSERT INTO "` + t.name + `" (` + strings.Join(names, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(names)-1) + `)`
	}
	res, err := tx.Exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (t *table) value(tx *framework.Tx, c column, rowids map[string]int64) (any, error) {
	for _, fk := range t.fks {
		if fk.from != c.name {
			continue
		}
		if id, ok := rowids[fk.table]; ok && fk.to == "" {
			return id, nil
		}
		col := fk.to
		if col == "" {
			col = "rowid"
		}
		var v any
		q := `SELECT "` + col + `" FROM "` + fk.table + `" LIMIT 1`
		if id, ok := rowids[fk.table]; ok {
			q = `SELECT "` + col + `" FROM "` + fk.table + `" WHERE rowid = ` + strconv.FormatInt(id, 10)
		}
		if err := tx.QueryRow(q).Scan(&v); err != nil {
			return nil, fmt.Errorf("%s references %s, which has no row to reference", c.name, fk.table)
		}
		return v, nil
	}
	in := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(c.name) + `\s+IN\s*\(\s*'([^']*)'`)
	if m := in.FindStringSubmatch(t.sql); m != nil {
		return m[1], nil
	}
	typ := strings.ToUpper(c.typ)
	switch {
	case strings.Contains(typ, "INT"):
		return 1, nil
	case strings.Contains(typ, "REAL"), strings.Contains(typ, "FLOA"), strings.Contains(typ, "DOUB"), strings.Contains(typ, "NUM"):
		return 1.0, nil
	case strings.Contains(typ, "BLOB"):
		return []byte{0}, nil
	}
	return time.Now().UTC().Format(time.RFC3339Nano), nil
}

// errors checks that the module's error codes map to their statuses, and
// that an error under the module's mount is answered as a JSON error body.
func (c *checker) errors() event {
	app, err := c.rt.App(c.p.Target)
	if err != nil {
		return fail("%v", err)
	}
	eh, err := framework.Service[*framework.ErrorHandlerService](app, "error_handler.service")
	if err != nil {
		return fail("%v", err)
	}
	var parts []string
	seen := map[string]bool{}
	for _, u := range c.p.Codes {
		if seen[u.Code] {
			continue
		}
		seen[u.Code] = true
		status, body, err := eh.Status(framework.Errorf(u.Code, "sandbox probe"))
		if err != nil {
			return fail("%v", err)
		}
		class, _, _ := strings.Cut(u.Code, ".")
		if status == http.StatusInternalServerError && class != framework.CodeInternal {
			e := fail("error code %q maps to 500: its class %q is not one the framework knows (invalid_argument, not_found, conflict, unauthorized, forbidden, too_large, unavailable, internal)", u.Code, class)
			e.File, e.Line = u.File, u.Line
			return e
		}
		if body.Error.Code != u.Code {
			return fail("error code %q is answered as %q", u.Code, body.Error.Code)
		}
		parts = append(parts, fmt.Sprintf("%s → %d", u.Code, status))
	}
	path := framework.MountPath(c.p.Target, "/modls-sandbox-no-such-route")
	rec := httptest.NewRecorder()
	c.rt.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var eb framework.ErrorBody
	if rec.Code != http.StatusNotFound || json.Unmarshal(rec.Body.Bytes(), &eb) != nil || eb.Error.Code != framework.CodeNotFound {
		return fail("GET %s answered %d %q; want 404 with a JSON error body", path, rec.Code, rec.Body.String())
	}
	parts = append(parts, "unknown route → 404")
	return pass("%s", strings.Join(parts, ", "))
}

// logCapture is the framework's log in the sandbox: every record goes to
// stderr, and the errors a handler logged are kept for the check's message.
type logCapture struct {
	mu      sync.Mutex
	records []string
	attrs   []slog.Attr
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range l.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	var cause string
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		if a.Key == "err" || a.Key == "panic" {
			cause = r.Message + ": " + a.Value.String()
		}
		return true
	})
	fmt.Fprintf(os.Stderr, "%s %s %s\n", r.Time.Format("15:04:05.000"), r.Level, b.String())
	if cause != "" {
		l.mu.Lock()
		l.records = append(l.records, cause)
		l.mu.Unlock()
	}
	return nil
}

func (l *logCapture) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logView{l: l, attrs: append(append([]slog.Attr(nil), l.attrs...), attrs...)}
}

func (l *logCapture) WithGroup(string) slog.Handler { return l }

func (l *logCapture) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.records)
}

func (l *logCapture) since(mark int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.records[mark:], "; ")
}

// logView is a logCapture with attributes of its own.
type logView struct {
	l     *logCapture
	attrs []slog.Attr
}

func (v *logView) Enabled(context.Context, slog.Level) bool { return true }

func (v *logView) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(v.attrs...)
	return v.l.Handle(ctx, r)
}

func (v *logView) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logView{l: v.l, attrs: append(append([]slog.Attr(nil), v.attrs...), attrs...)}
}

func (v *logView) WithGroup(string) slog.Handler { return v }
