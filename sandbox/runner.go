package sandbox

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modls/modls/framework"
	"github.com/modls/modls/internal/confine"
	"github.com/modls/modls/workspace"
)

// harnessFiles is the harness's source, written into each copy.
//
//go:embed harness/*.go
var harnessFiles embed.FS

// harnessPackage is the directory of the generated harness in the copy.
const harnessPackage = "modls_sandbox_harness"

// Check names the runner itself reports, and the harness's that the
// runner names too; the harness reports the others.
const (
	CheckBuilds        = "module builds"
	CheckLoads         = "module loads"
	CheckInside        = "module stays inside the sandbox"
	CheckWrites        = "writes stay inside the sandbox"
	CheckTests         = "integration tests"
	CheckTestProcesses = "integration tests leave no processes"
	CheckGenuine       = "results are genuine"
	CheckIsolation     = "sandbox isolation"
	CheckMemory        = "memory stays within the limit"
	CheckProcesses     = "processes stay within the limit"
	CheckDisk          = "disk stays within the limit"
	CheckOutput        = "output stays within the limit"
)

type runner struct {
	opts     Options
	ws       *workspace.Workspace
	target   *workspace.Module
	set      []*workspace.Module
	sb       *sandboxDir
	goenv    *goenv
	progress func(Check)
	res      *Result
	facts    *facts
	mu       sync.Mutex
	// refused is set when the launcher refused to run module code.
	refused bool
	// keys name what goes into each binary (nil without a binary cache);
	// binaries counts the binaries a run needs, reused those taken from
	// the cache.
	keys     *treeKeys
	binaries atomic.Int32
	reused   atomic.Int32
}

func (r *runner) phase(name string, start time.Time) {
	r.res.Phases = append(r.res.Phases, Phase{Name: name, Duration: time.Since(start)})
}

func (r *runner) add(c Check) {
	r.mu.Lock()
	r.res.Checks = append(r.res.Checks, c)
	r.mu.Unlock()
	if r.progress != nil {
		r.progress(c)
	}
}

// status tells the caller what the run is doing.
func (r *runner) status(what string) {
	if r.opts.Status != nil {
		r.opts.Status(what)
	}
}

func (r *runner) read(name string) ([]byte, error) {
	if data, ok := r.opts.Overlay[name]; ok {
		return data, nil
	}
	return os.ReadFile(name)
}

func (r *runner) run(ctx context.Context) error {
	t := time.Now()
	r.status(fmt.Sprintf("copying %s and its dependencies", r.target.Name()))
	c := &copier{root: r.ws.Root, dst: r.sb.path("src"), modulePath: r.ws.ModulePath, overlay: r.opts.Overlay, copied: map[string]bool{}}
	if err := c.copyGoMod(); err != nil {
		return fmt.Errorf("copying go.mod: %w", err)
	}
	for _, m := range r.set {
		if err := c.copyModule(m); err != nil {
			return err
		}
	}
	if err := r.writeHarness(); err != nil {
		return err
	}
	r.facts = readFacts(r.target, r.read)
	if binCacheDir() != "" {
		if keys, err := r.hashTree(r.sb.path("src")); err == nil {
			r.keys = &keys
		}
	}
	r.phase("copy", t)
	// What the build would leave out, or take from outside the copy.
	if fail := c.refusal(); fail != nil {
		fail.Duration = time.Since(t)
		r.add(*fail)
		return nil
	}

	t = time.Now()
	runChecks := r.opts.Mode != ModeRunTests
	runTests := r.opts.Mode == ModeAll || r.opts.Mode == ModeRunTests
	var testPkgs []string
	if runTests {
		for dir := range r.facts.tests {
			testPkgs = append(testPkgs, dir)
		}
		sort.Strings(testPkgs)
	}
	r.status(buildStatus(runChecks, len(testPkgs)))
	var wg sync.WaitGroup
	var harnessErr []byte
	if runChecks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			harnessErr = r.goBuild(ctx, r.harnessKey(), "build", "-o", r.sb.path("bin", "harness"), "./"+harnessPackage)
		}()
	}
	testErrs := make([][]byte, len(testPkgs))
	for i, dir := range testPkgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel := filepath.ToSlash(mustRel(r.ws.Root, dir))
			testErrs[i] = r.goBuild(ctx, r.testKey(rel), "test", "-c", "-vet=off", "-tags", IntegrationTag, "-o", r.sb.path("bin", fmt.Sprintf("t%d.test", i)), "./"+rel)
		}()
	}
	wg.Wait()
	r.phase("build", t)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	buildFailed := harnessErr != nil
	for _, e := range testErrs {
		buildFailed = buildFailed || e != nil
	}
	if buildFailed {
		out := harnessErr
		for _, e := range testErrs {
			if out == nil {
				out = e
			}
		}
		r.add(r.buildFailure(out, time.Since(t)))
		return nil
	}
	r.add(Check{Name: CheckBuilds, Status: StatusPass, Duration: time.Since(t), Message: r.buildMessage(c)})

	if runChecks {
		t = time.Now()
		r.status("running the integration checks")
		if err := r.runHarness(ctx); err != nil {
			return err
		}
		r.phase("checks", t)
	}
	if runTests && !r.refused {
		t = time.Now()
		if len(testPkgs) == 0 {
			r.add(Check{Name: CheckTests, Status: StatusSkip,
				Message: "the module has no integration tests: mark a _test.go file with //go:build " + IntegrationTag})
		}
		for i, dir := range testPkgs {
			r.status("running the integration tests of " + filepath.ToSlash(mustRel(r.ws.Root, dir)))
			if err := r.runTests(ctx, dir, r.sb.path("bin", fmt.Sprintf("t%d.test", i))); err != nil {
				return err
			}
			if r.refused {
				break
			}
		}
		r.phase("tests", t)
	}
	return ctx.Err()
}

// buildStatus says what the build step builds. The harness links the
// SQLite driver, whose first compilation into the build cache is most of a
// cold run.
func buildStatus(harness bool, tests int) string {
	var what []string
	if harness {
		what = append(what, "the harness")
	}
	switch tests {
	case 0:
	case 1:
		what = append(what, "the integration tests")
	default:
		what = append(what, fmt.Sprintf("the integration tests of %d packages", tests))
	}
	return "building " + strings.Join(what, " and ") + ": first build compiles SQLite, about a minute"
}

// baseEnv is the whole environment of module code: an allow-list of the
// user's, with HOME and TMPDIR in its data directory.
func (r *runner) baseEnv() []string {
	env := []string{
		"HOME=" + r.sb.path("data", "home"),
		"TMPDIR=" + r.sb.path("data", "tmp"),
		markerEnv + "=" + r.sb.dir,
		"GOTRACEBACK=all",
	}
	for _, k := range []string{"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	if _, ok := os.LookupEnv("PATH"); !ok {
		env = append(env, "PATH=/usr/local/bin:/usr/bin:/bin")
	}
	return env
}

// buildEnv adds the go command's settings: the user's caches (so builds are
// warm), no network, no toolchain switch, no workspace file, no cgo.
func (r *runner) buildEnv() []string {
	g := r.goenv
	return append(r.baseEnv(),
		"GOROOT="+g.GOROOT, "GOPATH="+g.GOPATH, "GOCACHE="+g.GOCACHE, "GOMODCACHE="+g.GOMODCACHE,
		"GOFLAGS="+g.GOFLAGS, "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off", "GOENV=off",
		"CGO_ENABLED=0", "GOTMPDIR="+r.sb.path("buildtmp"),
		"PATH="+filepath.Join(g.GOROOT, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// harnessKey names what goes into the harness: every file of the copy
// but the tests; "" without a binary cache.
func (r *runner) harnessKey() string {
	if r.keys == nil {
		return ""
	}
	return "harness " + r.keys.build
}

// testKey names what goes into the test binary of the package in the
// directory rel of the copy: what goes into the harness, and the
// package's _test.go files; "" without a binary cache.
func (r *runner) testKey(rel string) string {
	if r.keys == nil {
		return ""
	}
	return "test " + r.keys.build + " " + r.keys.tests[rel]
}

// buildFlags come first in every build. -trimpath keeps the build cache's
// keys free of the sandbox's path, so that a second run finds everything
// compiled. -ldflags=-s -w leaves the symbol table and the DWARF debugging
// information out of the binaries, which nothing of a run reads (a stack
// trace's functions, files and lines come from the pcln table, which
// stays): the link of a harness takes 40 % less time and its binary a
// third less space. A -ldflags of the user's GOFLAGS is kept instead,
// since a flag on the command line would replace it.
func (r *runner) buildFlags() []string {
	flags := []string{"-trimpath"}
	if !strings.Contains(r.goenv.GOFLAGS, "-ldflags") {
		flags = append(flags, "-ldflags=-s -w")
	}
	return flags
}

// goBuild runs the go command in the copy and returns its output on
// failure. Test binaries are built with -vet=off: the sandbox runs module
// code, and leaves vet's findings to modls check and go vet rather than
// wait for vet in every rebuild (go test -c vets before it links: a
// quarter to a third of the wall time of standard.analytics's test binary
// after an edit).
//
// A binary (-o) whose inputs, named by key, a build made before is taken
// from the cache instead (see bincache.go); key "" builds.
func (r *runner) goBuild(ctx context.Context, key, verb string, args ...string) []byte {
	var out bytes.Buffer
	args = append(append([]string{verb}, r.buildFlags()...), args...)
	cacheKey, dst := "", ""
	if i := slices.Index(args, "-o"); i >= 0 && i+1 < len(args) {
		r.binaries.Add(1)
		dst = args[i+1]
		if key != "" {
			named := slices.Clone(args)
			named[i+1] = filepath.Base(dst)
			cacheKey = binKey(key, named)
			if cachedBinary(cacheKey, dst) {
				r.reused.Add(1)
				return nil
			}
		}
	}
	defer func() {
		if cacheKey != "" {
			if st, err := os.Stat(dst); err == nil && st.Mode().IsRegular() {
				storeBinary(cacheKey, dst)
			}
		}
	}()
	code, err := runBuild(ctx, r.sb.path("src"), r.buildEnv(), &lockedWriter{mu: &sync.Mutex{}, w: &out}, filepath.Join(r.goenv.GOROOT, "bin", "go"), args...)
	r.opts.Stderr.Write(out.Bytes())
	if err != nil {
		return []byte(err.Error())
	}
	if code != 0 {
		if out.Len() == 0 {
			return []byte(fmt.Sprintf("go %s exited with status %d", verb, code))
		}
		return out.Bytes()
	}
	return nil
}

// buildMessage says what the build took in, and how many binaries were
// taken from the cache, their inputs unchanged.
func (r *runner) buildMessage(c *copier) string {
	msg := fmt.Sprintf("%d of %d modules of the application, %d files copied", len(r.set), len(r.target.App.Modules), c.files)
	if n := r.reused.Load(); n > 0 {
		msg += fmt.Sprintf("; %d of %d binaries reused, their inputs unchanged", n, r.binaries.Load())
	}
	return msg
}

var compileErrRE = regexp.MustCompile(`(?m)^(\S+\.go):(\d+)(?::\d+)?: (.*)$`)

func (r *runner) buildFailure(out []byte, d time.Duration) Check {
	c := Check{Name: CheckBuilds, Status: StatusFail, Duration: d}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var kept []string
	for _, l := range lines {
		if strings.HasPrefix(l, "# ") {
			continue
		}
		kept = append(kept, strings.TrimSpace(l))
		if len(kept) == 5 {
			break
		}
	}
	// The go command names files of the copy by their path there: name
	// them in the real workspace.
	c.Message = strings.ReplaceAll(strings.Join(kept, "; "), r.sb.path("src")+string(filepath.Separator), r.ws.Root+string(filepath.Separator))
	if m := compileErrRE.FindStringSubmatch(string(out)); m != nil {
		c.File, c.Line = r.realFile(m[1], r.ws.Root), atoi(m[2])
		c.Message = m[3]
		if len(kept) > 1 {
			c.Message += fmt.Sprintf(" (and %d more lines; run with --keep to build the copy yourself)", len(kept)-1)
		}
	}
	return c
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// realFile maps a file named by the build or a stack trace (an import path
// with -trimpath, a path relative to dir, or a path in the copy) to the
// real workspace.
func (r *runner) realFile(name, dir string) string {
	if rest, ok := strings.CutPrefix(name, r.ws.ModulePath+"/"); ok {
		return filepath.Join(r.ws.Root, filepath.FromSlash(rest))
	}
	src := r.sb.path("src")
	if rest, ok := strings.CutPrefix(name, src+string(filepath.Separator)); ok {
		return filepath.Join(r.ws.Root, rest)
	}
	if !filepath.IsAbs(name) {
		return filepath.Join(dir, filepath.FromSlash(name))
	}
	return name
}

// writeHarness writes the harness into the copy: the package harness
// (sandbox/harness) and a main package that imports the set and runs it.
func (r *runner) writeHarness() error {
	dir := r.sb.path("src", harnessPackage)
	lib := filepath.Join(dir, "harness")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		return err
	}
	ctors := r.constructors()
	var b bytes.Buffer
	b.WriteString("// Code generated by modls sandbox. DO NOT EDIT.\n\npackage main\n\nimport (\n")
	for i, m := range r.set {
		fmt.Fprintf(&b, "\tm%d %q\n", i, m.ImportPath)
	}
	fmt.Fprintf(&b, "\n\t\"github.com/modls/modls/framework\"\n\t%q\n)\n\n", r.ws.ModulePath+"/"+harnessPackage+"/harness")
	b.WriteString("func main() {\n\tharness.Main([]func() framework.Module{\n")
	for i, m := range r.set {
		fmt.Fprintf(&b, "\t\tfunc() framework.Module { return m%d.%s() },\n", i, ctors[m.ImportPath])
	}
	b.WriteString("\t})\n}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), b.Bytes(), 0o644); err != nil {
		return err
	}
	files, err := fs.Glob(harnessFiles, "harness/*.go")
	if err != nil {
		return err
	}
	for _, name := range files {
		base := path.Base(name)
		if strings.HasSuffix(base, "_test.go") {
			continue
		}
		data, err := harnessFiles.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(lib, base), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// constructors finds how the application's main makes each module of the
// set (a call without arguments, audit.New()); New where it does not say.
func (r *runner) constructors() map[string]string {
	out := map[string]string{}
	for _, m := range r.set {
		out[m.ImportPath] = "New"
	}
	entries, _ := os.ReadDir(r.target.App.Dir)
	fset := token.NewFileSet()
	for _, e := range entries {
		name := filepath.Join(r.target.App.Dir, e.Name())
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := r.read(name)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != "main" {
			continue
		}
		local := map[string]string{} // local package name → import path
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if _, ok := out[path]; !ok {
				continue
			}
			n := filepath.Base(path)
			if imp.Name != nil {
				n = imp.Name.Name
			}
			local[n] = path
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok {
				if path, ok := local[x.Name]; ok {
					out[path] = sel.Sel.Name
				}
			}
			return true
		})
	}
	return out
}

// harnessPlan mirrors the harness's plan.
type harnessPlan struct {
	Target      string    `json:"target"`
	Sandbox     string    `json:"sandbox"`
	Database    string    `json:"database"`
	API         bool      `json:"api"`
	Full        bool      `json:"full"`
	Codes       []codeUse `json:"codes"`
	Lookups     []string  `json:"lookups"`
	Settings    bool      `json:"settings"`
	HasDatabase bool      `json:"has_database"`
	Visible     []string  `json:"visible"`
}

func (r *runner) runHarness(ctx context.Context) error {
	p := harnessPlan{
		Target:      r.target.Name(),
		Sandbox:     r.sb.dir,
		Database:    r.sb.path("data", "app.db"),
		API:         r.opts.Mode == ModeTestAPI,
		Full:        r.opts.Mode != ModeTestAPI,
		Codes:       r.facts.codes,
		Settings:    r.target.Manifest.HasFeature("settings"),
		HasDatabase: r.target.Manifest.HasFeature("database"),
		Visible:     append(append([]string(nil), confine.SystemPaths...), "/proc", "/dev"),
	}
	seen := map[string]bool{}
	for _, l := range r.target.Lookups {
		if !seen[l.Service] {
			seen[l.Service] = true
			p.Lookups = append(p.Lookups, l.Service)
		}
	}
	data, _ := json.Marshal(p)
	planFile := r.sb.path("run", "plan.json")
	if err := os.WriteFile(planFile, data, 0o644); err != nil {
		return err
	}
	var (
		mu      sync.Mutex
		running event // the last begin event without its check
		open    bool
		started = time.Now()
		book    = &ledger{expected: r.expectedCheck, seen: map[string]bool{}}
	)
	onLine := func(line []byte) {
		var e event
		mu.Lock()
		if json.Unmarshal(line, &e) != nil || !book.accept(e) {
			book.forge(line)
			mu.Unlock()
			return
		}
		switch e.Event {
		case "begin":
			running, open, started = e, true, time.Now()
			mu.Unlock()
		case "check":
			open = false
			mu.Unlock()
			r.add(r.fromHarness(e))
		}
	}
	snap := r.snapshot()
	x := r.confined(ctx, confinedRun{dir: r.sb.path("data"), env: r.baseEnv(), timeout: r.opts.Timeout,
		stdout: r.opts.Stdout, stderr: r.opts.Stderr, onLine: onLine, path: r.sb.path("bin", "harness"), args: []string{planFile}})
	if x.canceled {
		return ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	if x.startErr != nil {
		r.add(Check{Name: CheckLoads, Status: StatusFail, Message: "starting the harness: " + x.startErr.Error()})
		return nil
	}
	if r.refusedRun(x) {
		return nil
	}
	if open || (x.code != 0 && x.code != 1) || x.timedOut {
		r.add(r.crash(running, x, time.Since(started)))
	}
	r.limitChecks(x, "module code")
	if len(book.forged) > 0 {
		what := "a line on the harness's channel (descriptor 3) is not the harness's report"
		if n := len(book.forged); n > 1 {
			what = fmt.Sprintf("%d lines on the harness's channel (descriptor 3) are not the harness's report", n)
		}
		r.add(Check{Name: CheckGenuine, Status: StatusFail, Message: fmt.Sprintf(
			"%s (the first: %s): module code wrote it; the sandbox accepts each check once, after the harness starts it",
			what, book.forged[0])})
	}
	r.compareSnapshot(snap, x.report, CheckWrites, "module code")
	return nil
}

// refusedRun reports a run that the launcher refused: confinement failed,
// or --isolation=strict found a layer missing. Nothing more of module
// code runs.
func (r *runner) refusedRun(x exit) bool {
	if x.refused == "" {
		return false
	}
	r.refused = true
	msg := x.refused
	if strings.HasPrefix(msg, "strict isolation") {
		msg += "; without --isolation=strict the sandbox runs with the layers this machine offers and says which"
	}
	r.add(Check{Name: CheckIsolation, Status: StatusFail, Message: msg})
	return true
}

// ledger keeps the harness's protocol: each check comes once, after the
// harness begins it, and only a check the harness can make. A line that
// breaks it was written by module code, which shares the harness's
// process and so its descriptor.
type ledger struct {
	expected func(string) bool
	seen     map[string]bool
	open     bool
	forged   []string
}

func (l *ledger) accept(e event) bool {
	switch e.Event {
	case "begin":
		if e.Check != "" && !l.expected(e.Check) || l.seen[e.Check] {
			return false
		}
		l.open = true
		return true
	case "check":
		if !l.open || !l.expected(e.Check) || l.seen[e.Check] {
			return false
		}
		l.open = false
		l.seen[e.Check] = true
		return true
	}
	return false
}

func (l *ledger) forge(line []byte) {
	s := string(line)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	l.forged = append(l.forged, s)
}

// expectedCheck tells whether the harness can report a check of this name.
func (r *runner) expectedCheck(name string) bool {
	switch name {
	case CheckLoads, "services register", "dependencies resolve", "settings load with defaults", CheckInside,
		"integrity session round-trip", "errors map to HTTP statuses", "module stops", "GET endpoints":
		return true
	}
	return strings.HasPrefix(name, "GET "+framework.MountPath(r.target.Name(), ""))
}

// limitChecks reports the limits a run hit, each once per sandbox run.
func (r *runner) limitChecks(x exit, who string) {
	l := r.opts.Limits.WithDefaults()
	for _, hit := range x.limits {
		c := Check{Status: StatusFail}
		switch hit {
		case confine.LimitMemory:
			c.Name = CheckMemory
			c.Message = fmt.Sprintf("%s used more than the sandbox's %s of memory (--memory); the kernel or the sandbox stopped it", who, confine.FormatSize(l.Memory))
		case confine.LimitProcesses:
			c.Name = CheckProcesses
			c.Message = fmt.Sprintf("%s ran into the sandbox's limit of %d processes and threads (--procs); forks beyond it failed with \"resource temporarily unavailable\"", who, l.Processes)
		case confine.LimitDisk:
			c.Name = CheckDisk
			c.Message = fmt.Sprintf("%s filled the sandbox's %s of disk (--disk); writes beyond it failed with \"no space left on device\"", who, confine.FormatSize(l.Disk))
		case confine.LimitOutput:
			c.Name = CheckOutput
			c.Message = fmt.Sprintf("%s wrote more than %s to standard output and error (--output); the sandbox stopped it", who, confine.FormatSize(l.Output))
		default:
			continue
		}
		if r.hasCheck(c.Name) {
			continue
		}
		r.add(c)
	}
}

func (r *runner) hasCheck(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.res.Checks {
		if c.Name == name {
			return true
		}
	}
	return false
}

// protected remembers, per set of disabled layers, whether the last run
// of module code could write the real workspace: where a mount namespace
// or Landlock stops every write outside the sandbox, the workspace needs
// no comparison.
var protected sync.Map

func (r *runner) protectedKey() string {
	return fmt.Sprint(r.opts.disable, r.opts.runAs != nil)
}

// snapshot records the real workspace's files where module code might be
// able to write them, or nil where the last run showed it cannot.
func (r *runner) snapshot() map[string]fileStamp {
	if v, ok := protected.Load(r.protectedKey()); ok && v.(bool) {
		return nil
	}
	return stamp(r.ws.Root)
}

// compareSnapshot reports, as the failed check name, the files of the real
// workspace that changed since snap was taken, unless the run's isolation
// kept module code from writing them.
func (r *runner) compareSnapshot(snap map[string]fileStamp, rep confine.Report, name, who string) {
	safe := rep.Holds(confine.LayerMountNS) || rep.Holds(confine.LayerLandlockFS)
	if len(rep.Layers) > 0 {
		protected.Store(r.protectedKey(), safe)
	}
	if snap == nil || safe {
		return
	}
	if changed := compare(snap, stamp(r.ws.Root)); len(changed) > 0 {
		r.add(Check{Name: name, Status: StatusFail, File: changed[0],
			Message: fmt.Sprintf("%s wrote %s in the real workspace (%d files changed); write only inside the sandbox (os.TempDir(), $HOME)", who, changed[0], len(changed))})
	}
}

// fromHarness turns a harness check into a Check, pointing it at a line of
// the module where the runner knows one.
func (r *runner) fromHarness(e event) Check {
	c := Check{Name: e.Check, Status: e.Status, Duration: time.Duration(e.Duration), Message: e.Message}
	if e.File != "" {
		c.File, c.Line = r.realFile(e.File, r.target.Dir), e.Line
	}
	if c.Status == StatusFail && c.File == "" {
		if p, ok := r.facts.routes[e.Route]; ok && e.Route != "" {
			c.File, c.Line = p.File, p.Line
		} else if p, ok := r.facts.sessions[e.Purpose]; ok && e.Purpose != "" {
			c.File, c.Line = p.File, p.Line
		}
	}
	return c
}

var goroutineFrameRE = regexp.MustCompile(`(?m)^\t(\S+\.go):(\d+)`)

// moduleFrame finds, in a Go stack dump, the first frame in the code of
// one of dirs.
func (r *runner) moduleFrame(stack []byte, dirs ...string) (string, int) {
	for _, m := range goroutineFrameRE.FindAllSubmatch(stack, -1) {
		// With -trimpath the workspace's files are named by import path;
		// anything else (the standard library, the module cache) is not
		// module code.
		rest, ok := strings.CutPrefix(string(m[1]), r.ws.ModulePath+"/")
		if !ok {
			continue
		}
		file := filepath.Join(r.ws.Root, filepath.FromSlash(rest))
		for _, d := range dirs {
			if strings.HasPrefix(file, d+string(filepath.Separator)) {
				return file, atoi(string(m[2]))
			}
		}
	}
	return "", 0
}

func (r *runner) setDirs() []string {
	dirs := []string{r.target.Dir}
	for _, m := range r.set {
		if m != r.target {
			dirs = append(dirs, m.Dir)
		}
	}
	return dirs
}

// crash reports the check that was running when the harness died or was
// stopped at the time limit.
func (r *runner) crash(running event, x exit, d time.Duration) Check {
	name := running.Check
	if name == "" {
		name = CheckLoads
	}
	what := name
	if running.Activity != "" {
		what = running.Activity
	}
	c := Check{Name: name, Status: StatusFail, Duration: d}
	c.File, c.Line = r.moduleFrame(x.stderr, r.setDirs()...)
	panicLine := ""
	if i := bytes.Index(x.stderr, []byte("panic: ")); i >= 0 {
		panicLine = firstLine(string(x.stderr[i:]), "")
	} else if i := bytes.Index(x.stderr, []byte("fatal error: ")); i >= 0 {
		// The Go runtime's own: out of memory, no thread left.
		panicLine = firstLine(string(x.stderr[i:]), "")
	}
	switch {
	case x.timedOut:
		c.Message = fmt.Sprintf("did not finish within %v: %s was still running", r.opts.Timeout, what)
		if c.File != "" {
			c.Message += fmt.Sprintf(" (blocked at %s:%d)", filepath.Base(c.File), c.Line)
		}
		c.Message += "; the sandbox stopped it and its processes"
	case panicLine != "":
		c.Message = fmt.Sprintf("the harness crashed while %s was running: %s", what, panicLine)
		if strings.HasPrefix(panicLine, "panic: ") {
			c.Message += " (a panic outside any recover, in a goroutine the module started?)"
		}
	case x.signal != "":
		c.Message = fmt.Sprintf("the harness was killed by %s while %s was running", x.signal, what)
		if len(x.limits) > 0 {
			c.Message += fmt.Sprintf(" (the sandbox's %s limit)", strings.Join(x.limits, " and "))
		}
	default:
		c.Message = fmt.Sprintf("the harness exited with status %d while %s was running", x.code, what)
		if len(r.facts.exits) > 0 {
			c.File, c.Line = r.facts.exits[0].File, r.facts.exits[0].Line
			c.Message += fmt.Sprintf(": module code calls os.Exit (%s:%d); return a *framework.Error instead", filepath.Base(c.File), c.Line)
		} else {
			c.Message += ": module code ended the process (os.Exit, log.Fatal or a signal)"
		}
	}
	return c
}

func mustRel(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return rel
}

// fileStamp is what the fallback compares of a file.
type fileStamp struct {
	size    int64
	modTime time.Time
}

// stamp records the size and time of every file of the real workspace,
// where Landlock cannot stop writes and the runner can only find them.
func stamp(root string) map[string]fileStamp {
	out := map[string]fileStamp{}
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			out[path] = fileStamp{info.Size(), info.ModTime()}
		}
		return nil
	})
	return out
}

func compare(before, after map[string]fileStamp) []string {
	var changed []string
	for name, s := range after {
		if b, ok := before[name]; !ok || b != s {
			changed = append(changed, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			changed = append(changed, name)
		}
	}
	sort.Strings(changed)
	return changed
}
