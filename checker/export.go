package checker

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/gcexportdata"
)

// exportData keeps the types of dependency packages (as gcexportdata) in
// the cache, keyed like the packages' findings, so that a package whose
// findings are not cached is type-checked against its dependencies'
// recorded types instead of checking them all from source again.
//
// A package comes from the cache only when it and every package it
// depends on, transitively, do: a recorded package refers to its
// dependencies' types, which must then be the recorded ones too, or one
// import path would have two *types.Package values. Anything else is
// checked from source (and recorded for the next run).
//
// A dependency outside the main Go module that the cache has no blob of
// yet may come from the Go build cache instead: the compiler's export data
// of the package (go list -export), when the go command has it at hand
// (goExportFiles). What is read from there is recorded in the cache like
// a package checked from source.
type exportData struct {
	cache *Cache
	key   func(path string) string
	// dir, if set, is where the go command is asked for the Go build
	// cache's export data (the listing's directory); unsaved are the
	// editor's buffers, by file name (the loader's overlay also holds
	// snapshots of files on disk).
	dir     string
	unsaved map[string][]byte
	// later are roots whose dependencies a later call of decide will
	// take: the go command is asked for theirs with the first.
	later []*listedPackage
	// early, if set, is a call of the go command started before the
	// loader existed; its answers are taken first.
	early *goPrefetch

	mu      sync.Mutex
	askMu   sync.Mutex
	imports map[string]*types.Package
	have    map[string][]string       // a blob is stored for the path, with the imports it was checked with
	goFile  map[string]string         // the Go build cache's export data of the path, where it stands in for a blob
	goRead  int                       // packages read from goFile
	goAsked map[string]string         // what the go command said of the packages asked about: the file, or ""
	sourced []string                  // dependencies checked from source
	usable  map[string]bool           // the path and all its dependencies have blobs
	fresh   map[string]*types.Package // checked from source this run, to record
	imps    map[string][]string       // the non-blank imports of each fresh package
	stale   map[string]bool           // changed since their keys were computed: neither read nor recorded
	need    map[string]bool           // the packages decided on
	// shallow allows the first decide to read only the direct imports
	// outside the main module (readDirect); direct are those it read.
	shallow bool
	direct  map[string]bool
	// ahead, if set, is the reading of the direct imports begun before
	// the tree was scanned; directRead is what was read of them, for the
	// next check's memo.
	ahead      *directAhead
	directRead []memoBlob
	tookAhead  bool

	initOnce   sync.Once
	directOnce sync.WaitGroup // readDirect under way

	// byReference loads first, of a package read from export data, only
	// the packages its data refers to, not every import (load): a
	// session holds the types it checks against for its whole life, and
	// the whole closure of the framework's imports (the SQLite driver's
	// C library among them, which nothing refers to) was 24 MB of it.
	byReference bool
}

// decide looks up which dependencies of the roots, and which of the extra
// packages and their dependencies, have stored blobs. It may be called
// again for more roots: what an earlier call decided stays.
func (e *exportData) decide(l *loader, roots []*listedPackage, extra []string) {
	e.prefetch(l)
	e.directOnce.Wait()
	e.mu.Lock()
	var added []string
	var visit func(path string)
	visit = func(path string) {
		if e.need[path] || path == "unsafe" || path == "C" {
			return
		}
		e.need[path] = true
		added = append(added, path)
		if lp := l.listed[path]; lp != nil {
			for _, imp := range lp.Imports {
				if m, ok := lp.ImportMap[imp]; ok {
					imp = m
				}
				visit(imp)
			}
		}
	}
	for _, r := range roots {
		for _, list := range [][]string{r.Imports, r.TestImports, r.XTestImports} {
			for _, imp := range list {
				if m, ok := r.ImportMap[imp]; ok {
					imp = m
				}
				if imp != r.ImportPath {
					visit(imp)
				}
			}
		}
	}
	for _, p := range extra {
		visit(p)
	}
	e.mu.Unlock()
	if len(added) == 0 {
		return
	}
	have := e.lookUp(added)
	e.mu.Lock()
	read := len(e.direct) > 0
	e.mu.Unlock()
	if read {
		// The direct imports were read: what a later root adds that they
		// do not cover is of the main module.
		return
	}
	e.askGoBuild(l, added, have, true)
	e.mu.Lock()
	e.takeGoAnswersLocked(l, added)
	e.mu.Unlock()
}

// prefetch begins, once, the reading of the direct imports (readDirect),
// which decide awaits: a check that knows it will type-check something
// starts it before its keys are computed, alongside.
func (e *exportData) prefetch(l *loader) {
	e.initOnce.Do(func() {
		e.imports = map[string]*types.Package{}
		e.fresh = map[string]*types.Package{}
		e.have = map[string][]string{}
		e.goFile = map[string]string{}
		e.goAsked = map[string]string{}
		e.usable = map[string]bool{}
		e.imps = map[string][]string{}
		e.need = map[string]bool{}
		e.direct = map[string]bool{}
		if !e.shallow {
			return
		}
		e.directOnce.Add(1)
		go func() {
			defer e.directOnce.Done()
			e.readDirect(l)
		}()
	})
}

// lookUp records which of paths have a stored blob, and returns them.
func (e *exportData) lookUp(paths []string) map[string]bool {
	byKey := map[string]string{}
	keys := make([]string, 0, len(paths))
	for _, p := range paths {
		if k := e.key(p); k != "" {
			byKey[k] = p
			keys = append(keys, k)
		}
	}
	stored := e.cache.StoredExports(keys)
	have := make(map[string]bool, len(stored))
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, imps := range stored {
		have[byKey[k]] = true
		e.have[byKey[k]] = imps
	}
	return have
}

// readDirect reads the direct imports outside the main module alone
// (directImports, readDirectLocked), when each has export data: a blob, or
// the Go build cache's, asked of the go command for those without one.
// With their export data, nothing else outside the main module is read.
func (e *exportData) readDirect(l *loader) {
	direct := directImports(l, e.unsaved)
	if len(direct) == 0 {
		e.ahead.cancel()
		return
	}
	want := make([]memoBlob, len(direct))
	for i, p := range direct {
		want[i] = memoBlob{Path: p, Key: e.key(p)}
	}
	if e.ahead.matching(want) && e.takeAhead(want) {
		return
	}
	have := e.lookUp(direct)
	var missing []string
	for _, p := range direct {
		if !have[p] {
			missing = append(missing, p)
		}
	}
	e.askGoBuild(l, missing, have, false)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.takeGoAnswersLocked(l, direct)
	if e.readDirectLocked(l, direct) {
		e.directRead = want
	}
}

// takeAhead takes the direct imports that directAhead read, as
// readDirectLocked would have read them, unless one of them is known
// already or changed meanwhile.
func (e *exportData) takeAhead(want []memoBlob) bool {
	for _, b := range want {
		if b.Key == "" {
			return false
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range want {
		if e.stale[b.Path] || e.imports[b.Path] != nil {
			return false
		}
	}
	a := e.ahead
	maps.Copy(e.imports, a.imports)
	for _, b := range want {
		e.have[b.Path] = a.imps[b.Path]
		e.direct[b.Path] = true
		e.usable[b.Path] = true
	}
	e.directRead, e.tookAhead = want, true
	return true
}

// takeGoAnswersLocked makes what the go command said of the paths without
// a blob their export data.
func (e *exportData) takeGoAnswersLocked(l *loader, paths []string) {
	for _, p := range paths {
		if _, ok := e.have[p]; !ok && e.goAsked[p] != "" {
			e.have[p] = resolvedImports(l.listed[p])
			e.goFile[p] = e.goAsked[p]
		}
	}
}

// directImports lists, in an order where a package's imports come first,
// the packages outside the main Go module that a package of the main
// module imports (its tests' imports too, not blank imports): of these
// alone are the types needed in full when every other package outside it
// comes from export data, which holds the declarations of the other
// packages that its own refer to. nil when a package outside the main module is an unsaved
// buffer (checked from source, it needs its imports in full).
func directImports(l *loader, unsaved map[string][]byte) []string {
	want := map[string]bool{}
	for _, lp := range l.listed {
		if lp.Standard || lp.Module == nil || !lp.Module.Main {
			if !fromGoBuild(lp, unsaved) && lp.Error == nil {
				return nil
			}
			continue
		}
		// The imports as the loader takes them: not blank ones, which
		// it never reads (a package imported for its side effects alone
		// needs no export data).
		var files []string
		for _, names := range [][]string{lp.GoFiles, lp.TestGoFiles, lp.XTestGoFiles} {
			for _, n := range names {
				files = append(files, filepath.Join(lp.Dir, n))
			}
		}
		var imps []string
		if l.importsOf != nil {
			imps, _ = l.importsOf(lp.Dir, files)
		} else {
			for _, f := range files {
				if src, err := l.readFile(f); err == nil {
					imps = append(imps, loadedImports(f, src)...)
				}
			}
		}
		for _, imp := range imps {
			if m, ok := lp.ImportMap[imp]; ok {
				imp = m
			}
			if q := l.listed[imp]; q != nil && (q.Standard || q.Module == nil || !q.Module.Main) {
				want[imp] = true
			}
		}
	}
	var out []string
	done := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if done[p] {
			return
		}
		done[p] = true
		if lp := l.listed[p]; lp != nil {
			for _, imp := range resolvedImports(lp) {
				visit(imp)
			}
		}
		if want[p] {
			out = append(out, p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(want)) {
		visit(p)
	}
	return out
}

// loadedImports lists the import paths of a file's declarations that the
// loader reads: not blank imports, "C" nor "unsafe".
func loadedImports(name string, src []byte) []string {
	f, _ := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
	if f == nil {
		return nil
	}
	var out []string
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil || path == "C" || path == "unsafe" || spec.Name != nil && spec.Name.Name == "_" {
			continue
		}
		out = append(out, path)
	}
	return out
}

// readDirectLocked reads the export data of the direct imports (in
// directImports's order) before any package is handed out, when every one
// of them has some (a blob or the Go build cache's) and all of it reads:
// each read adds to the packages it refers to only the declarations it
// needs, and no package is read after a package referring to it was
// handed out. Otherwise nothing is kept, and load reads each package
// after all its imports, as when shallow is off. It reports whether it
// read them.
func (e *exportData) readDirectLocked(l *loader, direct []string) bool {
	for _, p := range direct {
		if _, ok := e.have[p]; !ok || e.stale[p] || e.imports[p] != nil {
			return false
		}
	}
	imports := map[string]*types.Package{}
	read := map[string]*types.Package{}
	fromGo := 0
	for _, p := range direct {
		var pkg *types.Package
		var err error
		if f := e.goFile[p]; f != "" {
			pkg, err = readGoExport(f, l.fset, imports, p)
			fromGo++
		} else if data, ok := e.cache.Export(e.key(p)); ok {
			pkg, err = gcexportdata.Read(bytes.NewReader(data), l.fset, imports, p)
		} else {
			err = fmt.Errorf("no export data")
		}
		if err != nil {
			if os.Getenv("MODLS_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "modls: export data of %s: %v\n", p, err)
			}
			return false
		}
		read[p] = pkg
	}
	maps.Copy(e.imports, imports)
	e.goRead += fromGo
	for p, pkg := range read {
		e.direct[p] = true
		e.usable[p] = true
		if e.goFile[p] != "" {
			// Recorded, so that the next run finds it in the cache.
			e.fresh[p] = pkg
			e.imps[p] = e.have[p]
		}
	}
	return true
}

// askGoBuild asks the go command for the Go build cache's export data of
// the packages that may come from there and have no blob (have), unless it
// was asked about them before; when it is asked, and withLater, it is
// asked too about what the later roots depend on, so that one call serves
// the run.
func (e *exportData) askGoBuild(l *loader, added []string, have map[string]bool, withLater bool) {
	if e.dir == "" {
		return
	}
	// One call at a time; e.mu is not held while the go command runs, as
	// loads go on meanwhile. goAsked is written under both.
	e.askMu.Lock()
	defer e.askMu.Unlock()
	wanted := false
	for _, p := range added {
		if lp := l.listed[p]; !have[p] && lp != nil && fromGoBuild(lp, e.unsaved) {
			wanted = true
			break
		}
	}
	if !wanted {
		return // not even the call begun early is waited for
	}
	if pf := e.early; pf != nil {
		e.early = nil
		<-pf.done
		e.mu.Lock()
		if pf.files != nil || !pf.guessed {
			for _, p := range pf.asked {
				e.goAsked[p] = pf.files[p]
			}
		}
		e.mu.Unlock()
	}
	var ask []string
	seen := map[string]bool{}
	consider := func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		if _, asked := e.goAsked[p]; asked || have[p] {
			return
		}
		if lp := l.listed[p]; lp != nil && fromGoBuild(lp, e.unsaved) {
			ask = append(ask, p)
		}
	}
	for _, p := range added {
		consider(p)
	}
	if len(ask) == 0 {
		return
	}
	if !withLater {
		e.askLocked(ask)
		return
	}
	var visit func(path string)
	visit = func(path string) {
		lp := l.listed[path]
		if lp == nil || seen[path] {
			return
		}
		consider(path)
		for _, imp := range resolvedImports(lp) {
			visit(imp)
		}
	}
	for _, r := range e.later {
		for _, list := range [][]string{r.Imports, r.TestImports, r.XTestImports} {
			for _, imp := range list {
				if m, ok := r.ImportMap[imp]; ok {
					imp = m
				}
				visit(imp)
			}
		}
	}
	e.askLocked(ask)
}

// askLocked asks the go command about paths (askMu held).
func (e *exportData) askLocked(paths []string) {
	files := goExportFiles(e.dir, paths, goExportBudget)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range paths {
		e.goAsked[p] = files[p]
	}
}

// goBuildFiles is how many packages the go command named export data of.
func (e *exportData) goBuildFiles() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, f := range e.goAsked {
		if f != "" {
			n++
		}
	}
	return n
}

// goBuildRead is how many dependencies were read from the Go build cache,
// and which were checked from source.
func (e *exportData) goBuildRead() (int, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.goRead, slices.Sorted(slices.Values(e.sourced))
}

// fromGoBuild reports whether a dependency's types may come from the Go
// build cache: a package outside the main Go module (the standard library,
// the framework as a module, other modules) none of whose files is an
// unsaved buffer, since the go command compiles the files on disk.
func fromGoBuild(lp *listedPackage, unsaved map[string][]byte) bool {
	if lp.Error != nil || !lp.Standard && (lp.Module == nil || lp.Module.Main) {
		return false
	}
	for _, n := range lp.GoFiles {
		if _, ok := unsaved[filepath.Join(lp.Dir, n)]; ok {
			return false
		}
	}
	return true
}

// resolvedImports lists the packages a package imports, as resolved.
func resolvedImports(lp *listedPackage) []string {
	out := make([]string, 0, len(lp.Imports))
	for _, imp := range lp.Imports {
		if m, ok := lp.ImportMap[imp]; ok {
			imp = m
		}
		if imp != "C" && imp != lp.ImportPath {
			out = append(out, imp)
		}
	}
	return out
}

// goExportBudget bounds the wait for the Go build cache's export data (a
// go command slowed by a loaded machine, or by a module it must fetch):
// past it the dependencies are checked from source, and recorded in
// modls's cache, so that the go command is not asked again.
var goExportBudget = 1500 * time.Millisecond

// goPrefetch is a call of goExportFiles under way.
type goPrefetch struct {
	done  chan struct{}
	asked []string
	files map[string]string
	// guessed: asked is guessDirect's, which may name packages no build
	// has made: if the go command would compile, the packages are asked
	// about again one by one as they are needed.
	guessed bool
}

// guessDirect reads what the packages of the directory patterns, and the
// packages of the main Go module they import, import from outside the
// main module (not blank: see directImports), from the import
// declarations of all their files, tests and build constraints included,
// and asks the go command in the background for the Go build cache's
// export data of those: what a check reading the direct imports alone
// needs, or more, asked for while the packages are listed instead of
// after. nil when a pattern is not a directory below root.
func guessDirect(root string, patterns []string) *goPrefetch {
	if os.Getenv("MODLS_GO_EXPORTS") == "off" {
		return nil
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil
	}
	modPath := modfile.ModulePath(gomod)
	var queue []string
	for _, p := range patterns {
		if strings.Contains(p, "...") {
			return nil
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		p = filepath.Clean(p)
		if p != root && !strings.HasPrefix(p, root+string(filepath.Separator)) {
			return nil
		}
		queue = append(queue, p)
	}
	seen := map[string]bool{}
	outside := map[string]bool{}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		if seen[dir] {
			continue
		}
		seen[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || !e.Type().IsRegular() {
				continue
			}
			src, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			for _, path := range loadedImports(e.Name(), src) {
				if rel, ok := strings.CutPrefix(path, modPath); ok && (rel == "" || rel[0] == '/') {
					queue = append(queue, filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(rel, "/"))))
				} else {
					outside[path] = true
				}
			}
		}
	}
	if len(outside) == 0 {
		return nil
	}
	pf := &goPrefetch{done: make(chan struct{}), asked: slices.Sorted(maps.Keys(outside)), guessed: true}
	go func() {
		defer close(pf.done)
		pf.files = goExportFiles(root, pf.asked, goExportBudget)
	}()
	return pf
}

// prefetchGoBuild asks the go command, in the background, for the Go build
// cache's export data of every dependency of the listing that may come
// from there; nil when there is none.
func prefetchGoBuild(dir string, listed []*listedPackage, unsaved map[string][]byte) *goPrefetch {
	pf := &goPrefetch{done: make(chan struct{})}
	for _, lp := range listed {
		if lp.DepOnly && fromGoBuild(lp, unsaved) {
			pf.asked = append(pf.asked, lp.ImportPath)
		}
	}
	if len(pf.asked) == 0 {
		return nil
	}
	go func() {
		defer close(pf.done)
		pf.files = goExportFiles(dir, pf.asked, goExportBudget)
	}()
	return pf
}

// goExportCalls counts the go command's runs by goExportFiles (for tests).
var goExportCalls atomic.Int64

// goCommand is the go command goExportFiles runs.
var goCommand = "go"

// goExportFiles asks the go command, in dir, for the files of the
// compiler's export data of the packages that the Go build cache holds;
// it returns those it names, or nothing when the go command fails, runs
// past budget or would compile: the export data are taken where the
// application's builds left them, never made for modls (a cold build
// cache's compilation takes minutes, longer than checking from source).
// The go command runs in the user's environment, cgo as their builds
// have it: a package's export data differ with cgo only in what is not
// exported.
func goExportFiles(dir string, paths []string, budget time.Duration) map[string]string {
	if os.Getenv("MODLS_GO_EXPORTS") == "off" {
		return nil
	}
	goExportCalls.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	// The go command's work directory goes in a directory of modls's
	// own, removed afterwards: a go command stopped leaves its work
	// directory behind. An action's directory appears in it only when
	// the go command compiles something.
	tmp, err := os.MkdirTemp("", "modls-go-")
	if err != nil {
		return nil
	}
	defer os.RemoveAll(tmp)
	var compiling atomic.Bool
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if actionDirs(tmp) {
				compiling.Store(true)
				cancel()
				return
			}
		}
	}()
	args := append([]string{"list", "-e", "-export", "-f", "{{if not .Error}}{{.ImportPath}}\t{{.Export}}{{end}}", "--"}, paths...)
	cmd := exec.Command(goCommand, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTMPDIR="+tmp)
	out, err := groupOutput(ctx, cmd)
	cancel()
	<-watched
	if err != nil || compiling.Load() {
		if os.Getenv("MODLS_DEBUG") != "" {
			why := fmt.Sprint(err)
			if compiling.Load() {
				why = "the Go build cache lacks some of it"
			}
			fmt.Fprintf(os.Stderr, "modls: the Go build cache's export data of %d packages: %s\n", len(paths), why)
		}
		return nil
	}
	files := make(map[string]string, len(paths))
	for _, line := range strings.Split(string(out), "\n") {
		if p, f, ok := strings.Cut(line, "\t"); ok && f != "" {
			files[p] = f
		}
	}
	return files
}

// actionDirs reports whether a work directory of the go command under tmp
// holds an action's directory, that is, whether it compiles.
func actionDirs(tmp string) bool {
	works, _ := os.ReadDir(tmp)
	for _, w := range works {
		if acts, _ := os.ReadDir(filepath.Join(tmp, w.Name())); len(acts) > 0 {
			return true
		}
	}
	return false
}

// usableLocked reports whether path and all its dependencies have blobs.
func (e *exportData) usableLocked(l *loader, path string, visiting map[string]bool) bool {
	if ok, done := e.usable[path]; done {
		return ok
	}
	if path == "unsafe" {
		return true
	}
	imps, stored := e.have[path]
	if visiting[path] || !stored {
		if os.Getenv("MODLS_DEBUG") == "exports" {
			fmt.Fprintf(os.Stderr, "export data: %s unusable (stored %v, key %q)\n", path, stored, e.key(path))
		}
		e.usable[path] = false
		return false
	}
	visiting[path] = true
	ok := true
	// The imports the package was checked with, not those go list names:
	// a side-effect-only import contributed no types and has no blob.
	for _, imp := range imps {
		if !e.usableLocked(l, imp, visiting) {
			ok = false
			break
		}
	}
	e.usable[path] = ok
	return ok
}

// load returns a dependency from the cache, or nil when dependencies come
// from source.
//
// The package's imports are loaded first, each complete before a package
// that refers to it is read: reading a package's data completes the
// placeholder that an earlier read may have made for it, and packages
// already handed out, being type-checked or analysed concurrently, refer
// to that placeholder.
func (e *exportData) load(l *loader, path string) *types.Package {
	e.mu.Lock()
	if e.direct[path] {
		p := e.imports[path]
		e.mu.Unlock()
		return p
	}
	usable := e.usableLocked(l, path, map[string]bool{})
	imps := e.have[path]
	goFile := e.goFile[path]
	e.mu.Unlock()
	if !usable {
		return nil
	}
	first := imps
	var data []byte // the blob the references were read from
	if e.byReference {
		refs, blob, ok := e.references(path, goFile)
		if !ok {
			return nil
		}
		first, data = refs, blob
	}
	for _, imp := range first {
		if imp == "unsafe" {
			continue
		}
		if _, err := l.load(imp); err != nil {
			return nil
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, imp := range first {
		// Each import read from export data, or this package's data
		// would make a second package of it.
		if q := e.imports[imp]; imp != "unsafe" && (q == nil || !q.Complete()) {
			return nil
		}
	}
	if p := e.imports[path]; p != nil && p.Complete() {
		return p
	}
	if e.byReference && e.goFile[path] != goFile {
		return nil // the references are another file's
	}
	if f := e.goFile[path]; f != "" {
		p, err := readGoExport(f, l.fset, e.imports, path)
		if err != nil {
			if os.Getenv("MODLS_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "modls: export data of %s: %v\n", path, err)
			}
			return nil
		}
		e.goRead++
		if !e.stale[path] {
			// Recorded, so that the next run finds it in the cache.
			e.fresh[path] = p
			e.imps[path] = imps
		}
		return p
	}
	if data == nil {
		var ok bool
		if data, ok = e.cache.Export(e.key(path)); !ok {
			return nil
		}
	}
	p, err := gcexportdata.Read(bytes.NewReader(data), l.fset, e.imports, path)
	if err != nil {
		return nil
	}
	return p
}

// references reads a package's export data on its own (the Go build
// cache's file, or else the cache's blob, which it returns) and lists the
// other packages the data refers to: those whose objects its declarations
// name, directly or through the types of those objects. Read with them
// loaded, the data makes no package but its own, so every package the
// loader holds is complete; the package's other imports (a blank import,
// one only its function bodies use) are not loaded for it.
func (e *exportData) references(path, goFile string) (refs []string, blob []byte, ok bool) {
	scratch := map[string]*types.Package{}
	if goFile != "" {
		if _, err := readGoExport(goFile, token.NewFileSet(), scratch, path); err != nil {
			return nil, nil, false
		}
	} else {
		data, found := e.cache.Export(e.key(path))
		if !found {
			return nil, nil, false
		}
		if _, err := gcexportdata.Read(bytes.NewReader(data), token.NewFileSet(), scratch, path); err != nil {
			return nil, nil, false
		}
		blob = data
	}
	for p := range scratch {
		if p != path && p != "unsafe" {
			refs = append(refs, p)
		}
	}
	sort.Strings(refs)
	return refs, blob, true
}

// readGoExport reads the compiler's export data of a package from the Go
// build cache.
func readGoExport(file string, fset *token.FileSet, imports map[string]*types.Package, path string) (*types.Package, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, err
	}
	return gcexportdata.Read(r, fset, imports, path)
}

// revoke takes packages whose text changed after their keys were
// computed (an edit in a long-running session, and the packages depending
// on it): from now on they are checked from source and never recorded,
// as their keys no longer describe their text.
func (e *exportData) revoke(paths []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stale == nil {
		e.stale = map[string]bool{}
	}
	for _, p := range paths {
		e.stale[p] = true
		e.usable[p] = false
		delete(e.fresh, p)
	}
}

// checked records a dependency type-checked from source, with the
// packages it imported for their types.
func (e *exportData) checked(path string, p *types.Package, imports []string) {
	if p == nil {
		return
	}
	e.mu.Lock()
	e.sourced = append(e.sourced, path)
	if e.stale[path] {
		e.mu.Unlock()
		return
	}
	e.fresh[path] = p
	e.imps[path] = imports
	e.mu.Unlock()
}

// save writes the export data of the dependencies checked from source.
func (e *exportData) save(l *loader) error {
	blobs, err := e.encode(l)
	if err != nil || len(blobs) == 0 {
		return err
	}
	return e.cache.PutExports(blobs)
}

// encodeAhead encodes the export data of the dependencies checked from
// source so far on other goroutines; write waits for it and writes it,
// with what was checked meanwhile. The encoding (~2 ms for one package)
// thus overlaps whatever the caller records before.
func (e *exportData) encodeAhead(l *loader) (write func() error) {
	type encoded struct {
		blobs map[string]exportBlob
		err   error
	}
	done := make(chan encoded, 1)
	go func() {
		blobs, err := e.encode(l)
		done <- encoded{blobs, err}
	}()
	return func() error {
		got := <-done
		if got.err != nil {
			return got.err
		}
		if len(got.blobs) > 0 {
			if err := e.cache.PutExports(got.blobs); err != nil {
				return err
			}
		}
		return e.save(l)
	}
}

// encode takes the export data of the dependencies checked from source
// since the last encode, and encodes it, by key.
func (e *exportData) encode(l *loader) (map[string]exportBlob, error) {
	e.mu.Lock()
	fresh, imps := e.fresh, e.imps
	e.fresh, e.imps = map[string]*types.Package{}, map[string][]string{}
	e.mu.Unlock()
	if len(fresh) == 0 {
		return nil, nil
	}
	paths := make([]string, 0, len(fresh))
	for p := range fresh {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	// Positions name files relative to their modules: the data is of the
	// package's content, wherever it is checked out.
	fset := l.codec().portableFileSet(l.fset)
	// Encoded on every core: after a cold check of a large tree this is
	// thousands of packages.
	keys := make([]string, len(paths))
	enc := make([]exportBlob, len(paths))
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := paths[i]
				if keys[i] = e.key(p); keys[i] == "" {
					continue
				}
				var b bytes.Buffer
				if err := gcexportdata.Write(&b, fset, fresh[p]); err != nil {
					errs[i] = fmt.Errorf("export data of %s: %w", p, err)
					continue
				}
				enc[i] = exportBlob{data: b.Bytes(), imports: imps[p]}
				enc[i].sum = rowSum("exports", keys[i], enc[i].data, []byte(strings.Join(enc[i].imports, " ")))
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	blobs := make(map[string]exportBlob, len(paths))
	for i, k := range keys {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if k != "" {
			blobs[k] = enc[i]
		}
	}
	return blobs, nil
}

// observe type-checks a package of the application as its importers see
// it (without bodies) and returns a description of its API and its
// analysis facts, for its interface (hasher.obsKey).
func observe(l *loader, facts *factsProvider, path string) ([]byte, *packageFacts, bool) {
	pkg, err := l.load(path)
	if err != nil || pkg == nil || pkg.Types == nil {
		return nil, nil, false
	}
	var b bytes.Buffer
	describeAPI(&b, pkg.Types, l.fset, l.codec())
	return b.Bytes(), facts.get(path), true
}

// describeAPI writes what importers can see of a package: every
// declaration at package level (exported or not: an unexported field or
// method is seen through the types that hold it), the fields and methods
// of its types, each with its type written in full (other packages' types
// by their path and name: what they are is their packages' part of the
// interface) and its position (file relative to its module, line and
// column: a finding may point at it). The export data of the package
// would serve, but what it writes of other packages' declarations differs
// with whether they were checked from source or read from export data.
func describeAPI(w io.Writer, pkg *types.Package, fset *token.FileSet, paths *pathCodec) {
	qual := func(p *types.Package) string { return p.Path() }
	fmt.Fprintf(w, "package %s %s\n", pkg.Path(), pkg.Name())
	seenObj := map[types.Object]bool{}
	seenType := map[types.Type]bool{}
	var obj func(o types.Object)
	var typ func(t types.Type)
	obj = func(o types.Object) {
		if o == nil || o.Pkg() != pkg || seenObj[o] {
			return
		}
		seenObj[o] = true
		p := fset.Position(o.Pos())
		fmt.Fprintf(w, "%s:%d:%d %s\n", paths.encode(p.Filename), p.Line, p.Column, types.ObjectString(o, qual))
		typ(o.Type())
	}
	typ = func(t types.Type) {
		if t == nil || seenType[t] {
			return
		}
		seenType[t] = true
		switch t := t.(type) {
		case *types.Named:
			obj(t.Obj())
			for i := range t.NumMethods() {
				obj(t.Method(i))
			}
			if tps := t.TypeParams(); tps != nil {
				for i := range tps.Len() {
					typ(tps.At(i))
				}
			}
			typ(t.Underlying())
		case *types.Alias:
			obj(t.Obj())
			typ(t.Rhs())
		case *types.Struct:
			for i := range t.NumFields() {
				obj(t.Field(i))
			}
		case *types.Interface:
			for i := range t.NumExplicitMethods() {
				obj(t.ExplicitMethod(i))
			}
			for i := range t.NumEmbeddeds() {
				typ(t.EmbeddedType(i))
			}
		case *types.Signature:
			for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tup.Len() {
					obj(tup.At(i))
					typ(tup.At(i).Type())
				}
			}
		case *types.Pointer:
			typ(t.Elem())
		case *types.Slice:
			typ(t.Elem())
		case *types.Array:
			typ(t.Elem())
		case *types.Chan:
			typ(t.Elem())
		case *types.Map:
			typ(t.Key())
			typ(t.Elem())
		case *types.TypeParam:
			obj(t.Obj())
			typ(t.Constraint())
		case *types.Union:
			for i := range t.Len() {
				typ(t.Term(i).Type())
			}
		}
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj(scope.Lookup(name))
	}
}
