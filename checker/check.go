// Package checker runs modls's rules over packages: it lists them with `go
// list`, type-checks them from source (dependencies without function
// bodies), runs the analyzers, applies //modls:ignore suppressions and the
// configured severities, and keeps each package's findings in a cache keyed
// by the content of everything they depend on. `modls check` and the
// language server's batch features are built on it. It knows nothing of
// output formats or of LSP.
package checker

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"hash"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/rules"
	"github.com/modls/modls/rules/ruledoc"
	"github.com/modls/modls/workspace"
)

// Options say what to check and how.
type Options struct {
	// Dir is the directory patterns are relative to; "" is the current one.
	Dir string
	// Patterns are go package patterns; default ./... .
	Patterns []string
	// Config enables rules and sets severities; nil means every rule with
	// its default severity.
	Config *Config
	// Overlay holds unsaved contents by absolute file name.
	Overlay map[string][]byte
	// Cache, if set, keeps per-package results across runs.
	Cache *Cache
	// Timings, if set, receives where the time went.
	Timings *Timings
	// Progress, if not nil, is called as the packages the cache does not
	// answer are checked: done of total root packages (those answered
	// from the cache count as done), last with done == total. A check
	// answered wholly from the cache does not call it.
	Progress func(done, total int)
	// BeforeTypeCheck, if not nil, is called once when the check is about
	// to type-check packages, after the cache has answered what it could,
	// with how many packages it may type-check (a command lowers its
	// collector's growth there when they are many: a warm run, or one
	// after an edit, holds little, a cold one much).
	BeforeTypeCheck func(packages int)
	// Findings, if not nil, is called with each group of patterns'
	// findings (sorted) and the directories of its packages as soon as
	// they are known, before the check records what it learnt in the
	// cache, which a caller showing them need not wait for; never once
	// the context is done.
	Findings func(dirs []string, diags []Diagnostic)
	// Shard, if N is set, checks only the K-th of N parts of the root
	// packages (see Shard): the others are loaded and analysed as far as
	// the part's packages need them, and not reported.
	Shard Shard

	// reread is set for a check made again because a file changed while
	// the first read it as it went (tree.raced): the files are read first,
	// all of them.
	reread bool
}

// Result is the outcome of a check.
type Result struct {
	Diagnostics []Diagnostic
	// Packages is the number of packages checked; Cached how many of them
	// were answered from the cache.
	Packages, Cached int
	// Dirs are the directories of the packages checked.
	Dirs []string
	// TempDirs are those of Dirs that may hold a writer's temporary files
	// (SweepTemps): the ones whose listing, as the check read it, has a
	// hidden file, and every one the check did not list.
	TempDirs []string
	// Roots are the import paths of the packages checked, by pattern
	// group, each group sorted.
	Roots []string
	// Partition, with Options.Shard, is a digest of what decided the
	// partition (every root package's import path and size, and N): the
	// same for every shard of one tree.
	Partition string
	// memo: the memo of the last check answered, for every group of
	// patterns (for tests).
	memo bool
	// goBuild: how many dependencies' types were read from the Go build
	// cache's export data; sourced: the dependencies type-checked from
	// source (for tests).
	goBuild int
	sourced []string
	// partial: how many modules the workspace model read in part (for
	// tests).
	partial int
	// reread: the check was made again, a file having changed as it read
	// it (for tests).
	reread bool
	// ahead: a group took the direct imports read ahead (for tests).
	ahead bool
}

// Check runs the enabled rules over the packages the patterns match.
func Check(ctx context.Context, opts Options) (*Result, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	cfg := opts.Config
	if cfg == nil {
		cfg = &Config{}
	}
	enabled := cfg.Enabled()
	groups, err := groupPatterns(dir, patterns)
	if err != nil {
		return nil, err
	}
	res := &Result{memo: true}
	var part hash.Hash
	if opts.Shard.N > 0 {
		part = newPartitionHash()
	}
	for _, g := range groups {
		r, err := checkGroup(ctx, g, enabled, cfg, opts, part)
		if err != nil {
			return nil, err
		}
		res.Diagnostics = append(res.Diagnostics, r.Diagnostics...)
		res.Packages += r.Packages
		res.Cached += r.Cached
		res.memo = res.memo && r.memo
		res.goBuild += r.goBuild
		res.sourced = append(res.sourced, r.sourced...)
		res.partial += r.partial
		res.ahead = res.ahead || r.ahead
		res.reread = res.reread || r.reread
		res.Dirs = append(res.Dirs, r.Dirs...)
		res.TempDirs = append(res.TempDirs, r.TempDirs...)
		res.Roots = append(res.Roots, r.Roots...)
	}
	if part != nil {
		res.Partition = hexSum(part)
	}
	res.Diagnostics = sortDiagnostics(res.Diagnostics)
	return res, nil
}

// group is the patterns that fall in one Go module.
type group struct {
	root     string
	patterns []string
}

// groupPatterns assigns each pattern to the Go module holding its
// directory, so that `modls check ./examples/violations/...` works from a
// parent module. Import-path patterns go to the module of dir.
func groupPatterns(dir string, patterns []string) ([]group, error) {
	byRoot := map[string]*group{}
	var order []string
	for _, p := range patterns {
		target := dir
		pat := p
		if isFilePattern(p) {
			base := strings.TrimSuffix(strings.TrimSuffix(p, "..."), "/")
			if base == "" || base == "." {
				base = "."
			}
			abs := base
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(dir, base)
			}
			st, err := os.Stat(abs)
			if err != nil {
				return nil, fmt.Errorf("pattern %s: %w", p, err)
			}
			if !st.IsDir() {
				return nil, fmt.Errorf("pattern %s: not a directory", p)
			}
			target = abs
		}
		root, err := workspace.FindRoot(target)
		if err != nil {
			return nil, err
		}
		if isFilePattern(p) {
			rel, _ := filepath.Rel(root, target)
			pat = "./" + filepath.ToSlash(rel)
			if strings.HasSuffix(p, "...") {
				pat = strings.TrimSuffix(pat, "/.") + "/..."
				pat = strings.Replace(pat, "/./...", "/...", 1)
			}
		}
		g := byRoot[root]
		if g == nil {
			g = &group{root: root}
			byRoot[root] = g
			order = append(order, root)
		}
		g.patterns = append(g.patterns, pat)
	}
	out := make([]group, 0, len(order))
	for _, r := range order {
		out = append(out, *byRoot[r])
	}
	return out, nil
}

// analysed reports, for a module directory below root, whether the check
// analyses a package of it (a root or one of their dependencies): the
// workspace model reads those modules in full and of the others only what
// rules ask of another module.
func analysed(root string, listed []*listedPackage) func(dir string) bool {
	dirs := map[string]bool{}
	for _, p := range listed {
		for d := p.Dir; !dirs[d] && strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	return func(dir string) bool { return dirs[dir] }
}

// completion reads in full, as a lazy check goes, the module of each
// package it analyses, in the model its analyzers read through scope: a
// rule reads the whole model of the module it analyses, and of the others
// only what a model read in part holds.
type completion struct {
	mu      sync.Mutex
	scope   *workspace.Scope
	root    string
	overlay map[string][]byte
	err     error
}

// ensure reads in full the modules of pkgs that the model has in part.
func (c *completion) ensure(pkgs []*listedPackage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ws := c.scope.Model()
	done, err := ws.Complete(analysed(c.root, pkgs), c.overlay)
	if err != nil {
		return err
	}
	if done != ws {
		c.scope.Set(done)
	}
	return nil
}

// ensureDir reads in full the module of the package in dir before it is
// analysed. A module that cannot be read fails the check (failed).
func (c *completion) ensureDir(dir string) {
	if m := c.scope.Model().Module(dir); m == nil || !m.Partial {
		return
	}
	if err := c.ensure([]*listedPackage{{Dir: dir}}); err != nil {
		c.fail(err)
	}
}

func (c *completion) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

func (c *completion) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// forwardFindings hands a group's findings to opts.Findings.
func forwardFindings(ctx context.Context, opts Options, res *Result) {
	if opts.Findings != nil && ctx.Err() == nil {
		opts.Findings(res.Dirs, sortDiagnostics(slices.Clone(res.Diagnostics)))
	}
}

func isFilePattern(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || filepath.IsAbs(p)
}

func checkGroup(ctx context.Context, g group, enabled []rules.Rule, cfg *Config, opts Options, part hash.Hash) (*Result, error) {
	t := newTimer()
	defer t.report()
	tm := opts.Timings
	defer tm.total(time.Now())
	loadStart := time.Now()
	// With a cache, the files below the root are read first, once: the
	// recorded listing and the memo of keys are validated against them,
	// and the keys are computed from them.
	fingerprint := rulesFingerprint(opts.Cache, cfg, enabled)
	lkey, mkey := "", ""
	var prev *keysMemo
	var tr *tree
	var pre *listingAhead
	var ahead *directAhead
	if opts.Cache != nil && len(opts.Overlay) == 0 {
		lkey = listingKey(g.root, g.patterns, true)
		// The recorded listing is read while the tree is, or without
		// one the go command lists the packages meanwhile.
		pre = prefetchListing(ctx, opts.Cache, lkey, g.root, g.patterns, true)
		if mkey = memoKey(lkey, fingerprint); mkey != "" {
			if !opts.reread {
				prev = opts.Cache.keysMemo(mkey)
			}
			if prev != nil && len(prev.Direct) > 0 {
				// Most likely the last check's direct imports again.
				ahead = readDirectAhead(opts.Cache, prev.Direct)
				defer ahead.cancel()
			}
			if scanned, err := scanTree(g.root, prev); err == nil {
				tr = scanned
			}
			t.mark("read files")
		}
	}
	listed, lkey, recorded, err := cachedGoListFrom(ctx, opts.Cache, lkey, g.root, g.patterns, true, tr, pre)
	if err != nil {
		return nil, err
	}
	if recorded {
		t.mark("listing (recorded)")
	} else {
		t.mark("go list")
	}
	if tr != nil && tr.addPackages(listed) != nil || lkey == "" {
		tr, mkey = nil, "" // no memo without a recorded listing and every file known
	}
	var roots []*listedPackage
	for _, p := range listed {
		if !p.DepOnly {
			roots = append(roots, p)
		}
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].ImportPath < roots[j].ImportPath })
	if opts.Shard.N > 0 {
		// Each group is partitioned on its own; what the other parts hold
		// is loaded as a dependency when a root of this one imports it.
		fmt.Fprintf(part, "group %s\n", g.patterns)
		roots = shardRoots(roots, opts.Shard, part)
		// The memo of keys, and the findings it holds, are the whole
		// listing's.
		mkey, prev = "", nil
	}
	res := &Result{Packages: len(roots)}
	for _, lp := range roots {
		res.Dirs = append(res.Dirs, lp.Dir)
		res.Roots = append(res.Roots, lp.ImportPath)
		if tr.mayHoldTemps(lp.Dir) {
			res.TempDirs = append(res.TempDirs, lp.Dir)
		}
	}
	// The memo of the last check of this listing: if no file changed, its
	// keys are the packages' and the model is not needed.
	if prev != nil && tr != nil && prev.matches(tr) {
		if ds, ok := prev.findings(); ok {
			newPathCodec(listed).decodeDiagnostics(ds)
			res.Diagnostics, res.Cached, res.memo = ds, len(roots), true
			t.mark("keys (recorded) and cache")
			tm.phase(PhaseLoad, loadStart)
			forwardFindings(ctx, opts, res)
			return res, nil
		}
	}
	// Without a recorded listing (a first run, or unsaved buffers) the
	// cache most likely lacks the dependencies' types: the go command is
	// asked for the Go build cache's while the files are read and the
	// workspace model is built (as soon as the go command listed the
	// packages, when it did while the tree was read).
	var early *goPrefetch
	if opts.Cache != nil && !recorded {
		if pre != nil {
			early = pre.goBuild // begun with the listing
		}
		if early == nil {
			early = prefetchGoBuild(g.root, listed, opts.Overlay)
		}
	}
	// After a check of the same listing (its memo), most packages are
	// likely in the cache, and most files as that check read them: the
	// keys are made of the recorded digests of the files whose state did
	// not change (those that did were read by the scan), and a file is
	// read when something needs it (tree.read). The keys need of each
	// module only what a model read in part has (moduleKey, appKey), so
	// every module is read so, the registrations of files that did not
	// change as the memo has them, and in full afterwards only the
	// modules of the packages analysed.
	lazy := prev != nil && tr != nil && mkey != ""
	if tr != nil && !lazy && tr.loadAll() != nil {
		tr, mkey = nil, ""
	}
	var overlay map[string][]byte
	if lazy {
		overlay = maps.Clone(tr.data) // the files read so far
	} else {
		base := opts.Overlay
		if tr != nil {
			base = tr.data // opts.Overlay is empty
		}
		overlay = snapshot(listed, base)
	}
	t.mark("read files")
	l := newLoader(listed, overlay)
	l.timings = tm
	if ahead != nil {
		l.fset = ahead.fset // where the packages it read have their positions
	}
	lazyTree := tr
	if tr != nil {
		l.importsOf = func(dir string, files []string) ([]string, bool) { return lazyTree.importsOf(dir, files, l.readFile) }
	}
	if lazy {
		l.disk = tr.read
	}
	// raced reports a file read after the scan that was not as the scan
	// recorded it: nothing is recorded, and the check is made again.
	raced := func() bool { return lazy && lazyTree.raced.Load() }
	h := newHasher(l, nil, fingerprint) // and the model, once read
	if tr != nil {
		h.sums = tr.sums
	}
	if lazy && opts.Cache != nil {
		// Something changed: most likely a package will be type-checked.
		// The types of what the main module imports are read meanwhile.
		l.exports = &exportData{cache: opts.Cache, key: h.depKey, dir: g.root, unsaved: opts.Overlay, early: early, shallow: true, ahead: ahead}
		l.exports.prefetch(l)
	}
	lo := workspace.LoadOptions{Full: analysed(g.root, listed)}
	if lazy {
		lo.Full = func(string) bool { return false }
		lo.ReadFile = tr.read
	}
	if tr != nil {
		lo.ReadDir = tr.readDir // the directories as the tree read them
		lo.Registrations = tr
	}
	ws, err := workspace.LoadFor(g.root, overlay, lo)
	if err != nil {
		return nil, err
	}
	t.mark("workspace")
	if tr != nil {
		// The test files the check reads: of the modules read in full
		// and of packages outside every module.
		err := tr.readLater(func(name string) bool {
			m := ws.Module(filepath.Dir(name))
			return m == nil || !m.Partial
		}, overlay)
		if err != nil {
			tr, mkey = nil, ""
		}
	}
	h.ws = ws
	// facts is made once the cache has answered; the interfaces of the
	// application's packages that are not recorded are computed from it.
	var facts *factsProvider
	if opts.Cache != nil {
		h.observe = func(path string) ([]byte, *packageFacts, bool) { return observe(l, facts, path) }
		var known map[string]string
		if lazy {
			known = prev.more().Ifaces
		}
		h.knowIfaces(opts.Cache, importedBy(l.listed, roots), known)
	}
	// Look up every root's findings first: the packages that miss decide
	// where the dependencies' types come from. A root importing a package
	// of the application whose interface is not known yet (it changed) is
	// looked up once that interface is (deferred).
	keys := make(map[*listedPackage]string, len(roots))
	byPath := make(map[string]string, len(roots))
	var deferred []*listedPackage
	for _, lp := range roots {
		k, known := h.rootKeyOf(lp, false)
		if !known {
			deferred = append(deferred, lp)
			continue
		}
		keys[lp] = k
		byPath[lp.ImportPath] = k
	}
	tm.phase(PhaseLoad, loadStart)
	cacheStart := time.Now()
	var found map[string][]Diagnostic
	if opts.Cache != nil {
		list := make([]string, 0, len(roots))
		for _, lp := range roots {
			if keys[lp] != "" {
				list = append(list, keys[lp])
			}
		}
		found = opts.Cache.GetAll(list)
	}
	var misses []*listedPackage
	for _, lp := range roots {
		if _, ok := keys[lp]; !ok {
			continue // deferred
		}
		if ds, ok := found[keys[lp]]; ok && keys[lp] != "" {
			l.codec().decodeDiagnostics(ds)
			res.Diagnostics = append(res.Diagnostics, ds...)
			res.Cached++
			continue
		}
		misses = append(misses, lp)
	}
	t.mark("keys and cache")
	partial := lazy
	for _, m := range ws.Modules() {
		partial = partial || m.Partial
	}
	var comp *completion
	if partial {
		// A model read in part is this check's alone.
		l.scope = workspace.NewScope(ws)
		l.scope.Add(l.fset)
		defer l.scope.Close()
		if lazy {
			comp = &completion{scope: l.scope, root: g.root, overlay: overlay}
		}
	} else {
		workspace.Put(ws)
	}
	if opts.Cache != nil && len(misses)+len(deferred) > 0 {
		if l.exports == nil {
			l.exports = &exportData{cache: opts.Cache, key: h.depKey, dir: g.root, unsaved: opts.Overlay, early: early, shallow: true, ahead: ahead}
		}
		l.exports.later = deferred
		l.exports.decide(l, misses, h.unknownIfaces(importedBy(l.listed, deferred)))
		if n := l.exports.goBuildFiles(); n > 0 {
			t.mark(fmt.Sprintf("the Go build cache's export data of %d packages located", n))
		}
	}
	tm.phase(PhaseCache, cacheStart)
	var beforeTypeCheck sync.Once
	typeCheck := func() {
		if opts.BeforeTypeCheck != nil {
			opts.BeforeTypeCheck(len(misses) + len(deferred))
		}
	}
	if len(misses) > 0 {
		beforeTypeCheck.Do(typeCheck)
	}
	if comp != nil && len(misses) > 0 {
		// The modules of the packages that missed, at once; the others
		// as their packages are analysed (loader.complete).
		if err := comp.ensure(misses); err != nil {
			return nil, err
		}
		t.mark("workspace completed")
	}
	if comp != nil {
		l.complete = comp.ensureDir
	}
	facts = newFactsProvider(l, h.factsKey, opts.Cache, analyzersOf(enabled), append(append([]*listedPackage(nil), misses...), deferred...))
	var mu sync.Mutex
	done := res.Cached
	progress := opts.Progress != nil && len(misses) > 0
	if progress {
		opts.Progress(done, len(roots))
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	checked := 0
	check := func(lp *listedPackage, key string) {
		// The facts of what the package imports come first, from the
		// checks of those packages: wait for them without holding a
		// place to run.
		facts.await(lp)
		sem <- struct{}{}
		defer func() { <-sem }()
		start := time.Now()
		ds := checkPackage(l, lp, enabled, cfg, facts, func() {
			// The package's facts are known now; what its external
			// tests import may have waited for them.
			<-sem
			facts.awaitXTest(lp)
			sem <- struct{}{}
		})
		tm.pkg(lp.ImportPath, start)
		if opts.Cache != nil && key != "" && (comp == nil || comp.failed() == nil) && !raced() {
			putStart := time.Now()
			opts.Cache.Put(key, l.codec().encodeDiagnostics(ds))
			tm.phase(PhaseCache, putStart)
		}
		mu.Lock()
		res.Diagnostics = append(res.Diagnostics, ds...)
		done++
		checked++
		if progress {
			opts.Progress(done, len(roots))
		}
		mu.Unlock()
	}
	for _, lp := range misses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			check(lp, keys[lp])
		}()
	}
	for _, lp := range deferred {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The interfaces it imports are computed (by type-checking
			// and analysing what changed) before it takes a place to
			// run: one of them may wait for another root's check.
			key := h.rootKey(lp)
			var ds []Diagnostic
			hit := false
			if key != "" {
				getStart := time.Now()
				ds, hit = opts.Cache.Get(key)
				tm.phase(PhaseCache, getStart)
			}
			mu.Lock()
			byPath[lp.ImportPath] = key
			mu.Unlock()
			if hit {
				// Early cutoff: nothing it imports changed as it can
				// see. Its facts come from the cache, or from whoever
				// needs them first.
				if pf := facts.cached(lp.ImportPath); pf != nil {
					facts.fulfil(lp.ImportPath, pf)
				} else {
					facts.release(lp.ImportPath)
				}
				l.codec().decodeDiagnostics(ds)
				mu.Lock()
				res.Diagnostics = append(res.Diagnostics, ds...)
				res.Cached++
				done++
				if progress {
					opts.Progress(done, len(roots))
				}
				mu.Unlock()
				return
			}
			l.exports.decide(l, []*listedPackage{lp}, nil)
			beforeTypeCheck.Do(typeCheck)
			mu.Lock()
			if !progress && opts.Progress != nil {
				progress = true
				opts.Progress(done, len(roots))
			}
			mu.Unlock()
			check(lp, key)
		}()
	}
	wg.Wait()
	t.mark(fmt.Sprintf("check %d packages (%d deferred)", checked, len(deferred)))
	if raced() && ctx.Err() == nil {
		again := opts
		again.reread = true
		res, err := checkGroup(ctx, g, enabled, cfg, again, part)
		if res != nil {
			res.reread = true
		}
		return res, err
	}
	// The export data of the packages checked from source is encoded
	// while the rest is recorded.
	var writeExports func() error
	freshExports := 0
	if l.exports != nil {
		l.exports.mu.Lock()
		freshExports = len(l.exports.fresh)
		l.exports.mu.Unlock()
		writeExports = l.exports.encodeAhead(l)
	}
	if comp != nil {
		if err := comp.failed(); err != nil {
			return nil, err
		}
		ws = l.scope.Model() // as completed
	}
	for _, m := range ws.Modules() {
		if m.Partial {
			res.partial++
		}
	}
	forwardFindings(ctx, opts, res)
	if mkey != "" && ctx.Err() == nil {
		// The memo of this tree: its files, the roots' keys and their
		// findings, which the next run over an unchanged tree returns
		// without looking up a row per package.
		// Every file read first (no memo if a test file went away), and
		// what the main module imports read (the memo records it).
		if l.exports != nil {
			l.exports.directOnce.Wait()
		}
		if err := tr.readLater(func(string) bool { return true }, nil); err == nil {
			direct := prev.directOf()
			if l.exports != nil && l.exports.directRead != nil {
				direct = l.exports.directRead
			}
			if m := newKeysMemo(tr, byPath, l.codec().encodeDiagnostics(res.Diagnostics), direct, h.knownIfaces()); m != nil {
				opts.Cache.putKeysMemo(mkey, m)
			}
		}
	}
	saveStart := time.Now()
	defer tm.phase(PhaseCache, saveStart)
	if err := facts.save(); err != nil && os.Getenv("MODLS_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "modls: cache: %v\n", err)
	}
	if opts.Cache != nil {
		if ifaces := h.freshIfaces(); len(ifaces) > 0 {
			if err := opts.Cache.PutFacts(ifaces); err != nil && os.Getenv("MODLS_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "modls: cache: %v\n", err)
			}
		}
	}
	t.mark("record facts")
	if l.exports != nil {
		// A cache that cannot be written only costs the next run time.
		res.goBuild, res.sourced = l.exports.goBuildRead()
		res.ahead = l.exports.tookAhead
		if err := writeExports(); err != nil && os.Getenv("MODLS_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "modls: cache: %v\n", err)
		}
		t.mark(fmt.Sprintf("record export data of %d packages", freshExports))
	}
	return res, nil
}

// snapshot reads the files of the root packages (and their modules'
// manifests) once, into an overlay on top of the given one, so that every
// reader in the run (the workspace, the cache keys, the parser) sees the
// same bytes even if a file is rewritten meanwhile: findings are never
// cached under the key of other contents than they were computed from.
func snapshot(listed []*listedPackage, over map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(over))
	for k, v := range over {
		out[k] = v
	}
	for _, p := range listed {
		if p.DepOnly {
			continue
		}
		names := []string{filepath.Join(p.Dir, "manifest.json")}
		for _, list := range [][]string{p.GoFiles, p.TestGoFiles, p.XTestGoFiles} {
			for _, n := range list {
				names = append(names, filepath.Join(p.Dir, n))
			}
		}
		for i, name := range names {
			if _, ok := out[name]; ok {
				continue
			}
			if i == 0 {
				// A manifest the workspace will not read stays on disk.
				if st, err := os.Stat(name); err != nil || st.Size() > workspace.MaxManifestSize {
					continue
				}
			}
			if data, err := os.ReadFile(name); err == nil {
				out[name] = data
			}
		}
	}
	return out
}

// checkPackage type-checks a root package (and its external tests) and
// returns its findings. The facts its analysis exports go to facts;
// beforeXTest runs between the package and its external tests.
func checkPackage(l *loader, lp *listedPackage, enabled []rules.Rule, cfg *Config, facts *factsProvider, beforeXTest func()) []Diagnostic {
	defer facts.set(lp.ImportPath, nil) // a package that could not be analysed has no facts
	var ds []Diagnostic
	if lp.Error != nil && len(lp.GoFiles)+len(lp.TestGoFiles)+len(lp.XTestGoFiles) == 0 {
		ds = append(ds, Diagnostic{Rule: RuleCompile, Severity: "error", File: lp.Dir, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
			Message: firstLine(strings.TrimSpace(lp.Error.Err)), Fixes: []Fix{}})
	} else {
		variants := []bool{false}
		if len(lp.XTestGoFiles) > 0 {
			variants = append(variants, true)
		}
		for _, test := range variants {
			var pkg *Package
			var err error
			if test {
				facts.set(lp.ImportPath, nil) // when the package could not be analysed
				beforeXTest()
				start := time.Now()
				pkg, err = l.checkXTest(lp.ImportPath, l.fset, nil)
				l.timings.phase(PhaseTypeCheck, start)
			} else {
				start := time.Now()
				pkg, err = l.rootPackage(lp.ImportPath)
				l.timings.phase(PhaseTypeCheck, start)
			}
			if err != nil {
				ds = append(ds, Diagnostic{Rule: RuleCompile, Severity: "error", File: lp.Dir, Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
					Message: err.Error(), Fixes: []Fix{}})
				continue
			}
			store := newFactStore(pkg.Types, facts.get, l.codec())
			l.beforeAnalysis(lp.ImportPath)
			ds = append(ds, packageDiagnostics(l.fset, pkg, enabled, cfg, l.readFile, store, l.timings, l.codec())...)
			if !test {
				facts.set(lp.ImportPath, store.encoded())
			}
		}
	}
	// Nothing imports a root with its tests but its external tests, which
	// are done: let its syntax and type information go.
	l.forget(lp.ImportPath + " [root]")
	if ds == nil {
		ds = []Diagnostic{}
	}
	return ds
}

// packageDiagnostics runs the rules on one type-checked package and
// converts, suppresses and grades what they report.
//
// Positions in packages read from the cache's export data name their
// files relative to their modules (see pathCodec): paths places them.
func packageDiagnostics(fset *token.FileSet, pkg *Package, enabled []rules.Rule, cfg *Config, readFile func(string) ([]byte, error), facts *factStore, tm *Timings, paths *pathCodec) []Diagnostic {
	var ds []Diagnostic
	syntax := false
	for _, e := range pkg.Errors {
		if e.Kind == "syntax" {
			syntax = true
		}
	}
	typeErrs := 0
	for _, e := range pkg.Errors {
		if e.Kind == "type" && (syntax || typeErrs >= 10) {
			continue // follow-on errors of a syntax error, or a flood
		}
		if e.Kind == "type" {
			typeErrs++
		}
		ds = append(ds, Diagnostic{Rule: RuleCompile, Severity: "error", File: e.Pos.Filename, Line: max(e.Pos.Line, 1), Column: max(e.Pos.Column, 1),
			EndLine: max(e.Pos.Line, 1), EndColumn: max(e.Pos.Column, 1), Offset: e.Pos.Offset, EndOffset: e.Pos.Offset, Message: paths.decodeText(oneLineMessage(e.Msg)), Fixes: []Fix{}})
	}
	analyzers := make([]*analysis.Analyzer, len(enabled))
	ran := map[string]bool{}
	for i, r := range enabled {
		analyzers[i] = r.Analyzer
		ran[r.Doc.ID] = true
	}
	if pkg.Types != nil && len(pkg.Files) > 0 {
		for _, ad := range analyze(fset, pkg, analyzers, readFile, facts, tm) {
			d := convert(fset, ad, cfg)
			if strings.Contains(d.File, "\x00") || len(d.Related) > 0 {
				d = mapDiagnostic(d, paths.decode, paths.decodeText)
			}
			ds = append(ds, d)
		}
	}
	ds = withoutBrokenFuncs(fset, pkg, ds)
	var sups []*Suppression
	for _, f := range pkg.Files {
		sups = append(sups, fileSuppressions(fset, f)...)
	}
	return applySuppressions(ds, sups, ran)
}

// withoutBrokenFuncs drops the rules' findings inside a function whose code
// does not parse: the user is still typing it (func (s *Service) Foo( ),
// and what the parser made of it is no code to judge. The function is the
// one the syntax error is in, or the last one declared before it; its
// extent runs to the error when the parser ended it sooner.
func withoutBrokenFuncs(fset *token.FileSet, pkg *Package, ds []Diagnostic) []Diagnostic {
	type span struct {
		file       string
		start, end int
	}
	var broken []span
	for _, e := range pkg.Errors {
		if e.Kind != "syntax" {
			continue
		}
		for _, f := range pkg.Files {
			tf := fset.File(f.FileStart)
			if tf == nil || tf.Name() != e.Pos.Filename || e.Pos.Offset > tf.Size() {
				continue
			}
			at := tf.Pos(e.Pos.Offset)
			var last ast.Decl
			for _, d := range f.Decls {
				if d.Pos() <= at {
					last = d
				}
			}
			if fd, ok := last.(*ast.FuncDecl); ok {
				end := e.Pos.Offset
				if fd.End().IsValid() && tf.Offset(fd.End()) > end {
					end = tf.Offset(fd.End())
				}
				broken = append(broken, span{tf.Name(), tf.Offset(fd.Pos()), end})
			}
		}
	}
	if len(broken) == 0 {
		return ds
	}
	out := ds[:0:0]
	for _, d := range ds {
		keep := true
		for _, b := range broken {
			if d.Rule != RuleCompile && d.File == b.file && d.Offset >= b.start && d.Offset <= b.end {
				keep = false
			}
		}
		if keep {
			out = append(out, d)
		}
	}
	return out
}

// analyzersOf lists the rules' analyzers.
func analyzersOf(enabled []rules.Rule) []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(enabled))
	for i, r := range enabled {
		out[i] = r.Analyzer
	}
	return out
}

// convert turns an analysis diagnostic into a Diagnostic with positions,
// severity, the rule's page and its fixes.
func convert(fset *token.FileSet, ad analysis.Diagnostic, cfg *Config) Diagnostic {
	start := fset.Position(ad.Pos)
	end := start
	if ad.End.IsValid() {
		end = fset.Position(ad.End)
	}
	id, capped := ruledoc.ParseCategory(ad.Category)
	d := Diagnostic{
		Rule: id, Severity: "error", File: start.Filename,
		Line: max(start.Line, 1), Column: max(start.Column, 1), EndLine: max(end.Line, 1), EndColumn: max(end.Column, 1),
		Offset: start.Offset, EndOffset: end.Offset, Message: ad.Message, Fixes: []Fix{},
	}
	rule, ok := rules.ByID(id)
	if ok {
		sev := cfg.Severity(rule)
		if capped != "" {
			sev = sev.Lower(capped)
		}
		d.Severity = string(sev)
		d.URL = rule.Doc.URL()
	}
	for _, r := range ad.Related {
		p := fset.Position(r.Pos)
		e := p
		if r.End.IsValid() {
			e = fset.Position(r.End)
		}
		d.Related = append(d.Related, Place{File: p.Filename, Line: p.Line, Column: p.Column, EndLine: e.Line, EndColumn: e.Column, Message: r.Message})
	}
	for _, sf := range ad.SuggestedFixes {
		fix := Fix{Message: sf.Message, Safe: ok && rule.Doc.SafeFix(sf.Message), Edits: []TextEdit{}}
		for _, te := range sf.TextEdits {
			s := fset.Position(te.Pos)
			e := s
			if te.End.IsValid() {
				e = fset.Position(te.End)
			}
			fix.Edits = append(fix.Edits, TextEdit{File: s.Filename, Line: s.Line, Column: s.Column, EndLine: e.Line, EndColumn: e.Column,
				Offset: s.Offset, EndOffset: e.Offset, NewText: string(te.NewText)})
		}
		d.Fixes = append(d.Fixes, fix)
	}
	return d
}

// oneLineMessage folds a compiler message that spans lines ("have (T)\n\twant
// (U)") into one.
func oneLineMessage(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}
