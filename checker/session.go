package checker

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/workspace"
)

// Session is the checker of a long-running process (the language server):
// it keeps the workspace's package metadata and its dependencies' types
// between runs, takes unsaved buffers as overlays, and re-checks one
// package at a time. Its methods are safe for concurrent use; checks of
// different packages may run in parallel.
type Session struct {
	root  string
	cfg   *Config
	cache *Cache // the default cache, for dependencies' types; may be nil

	mu      sync.Mutex
	overlay map[string][]byte
	state   *sessionState
	// saves counts the recordings of export data still running, which
	// Close waits for.
	saves sync.WaitGroup
	// syntax keeps the syntax of the files checked last.
	syntax syntaxCache
	// listedFromRecord says the last load took the cache's listing;
	// goListing, that the go command lists at every load.
	listedFromRecord, goListing bool
	// afterList, if set, runs once a load's listing is done (tests).
	afterList func()
}

// NewSession opens a session on the Go module holding dir, with the
// default cache (DefaultCachePath). cfg nil means every rule with its
// default severity.
func NewSession(ctx context.Context, dir string, cfg *Config) (*Session, error) {
	path, err := DefaultCachePath()
	if err != nil {
		path = ""
	}
	return NewSessionCache(ctx, dir, cfg, path)
}

// NewSessionCache is NewSession with the cache file at cachePath; ""
// means no cache.
func NewSessionCache(ctx context.Context, dir string, cfg *Config, cachePath string) (*Session, error) {
	return newSession(ctx, dir, cfg, cachePath, false)
}

// newSession is NewSessionCache; goListing has every load list the
// packages with the go command (BenchmarkSessionLoad's peer).
func newSession(ctx context.Context, dir string, cfg *Config, cachePath string, goListing bool) (*Session, error) {
	root, err := workspace.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &Config{}
	}
	s := &Session{root: root, cfg: cfg, overlay: map[string][]byte{}, goListing: goListing}
	if cachePath != "" {
		if c, err := OpenCache(cachePath); err == nil {
			s.cache = c
		}
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Model is the workspace model of the current text: the files on disk
// with the overlays set so far.
func (s *Session) Model() *workspace.Workspace {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	return st.model()
}

// Root is the directory of the session's go.mod.
func (s *Session) Root() string { return s.root }

// SetConfig replaces the rule configuration (enabled rules, severities).
func (s *Session) SetConfig(cfg *Config) {
	if cfg == nil {
		cfg = &Config{}
	}
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
}

// SetOverlay records an unsaved buffer; data nil forgets it (the file on
// disk counts again).
func (s *Session) SetOverlay(name string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if data == nil {
		delete(s.overlay, name)
	} else {
		s.overlay[name] = data
	}
	s.state.update(name, data, s.overlay)
}

// Reload lists the packages again, unsaved buffers included: call it when
// go.mod changes or files are added or removed, on disk or in an editor.
//
// The workspace model is read while the packages are listed: neither
// needs the other. A buffer changed meanwhile has the model read again
// with the buffers as they are once the listing is done.
func (s *Session) Reload(ctx context.Context) error {
	s.mu.Lock()
	overlay := copyOverlay(s.overlay)
	s.mu.Unlock()
	type model struct {
		ws  *workspace.Workspace
		err error
	}
	read := make(chan model, 1)
	go func() {
		ws, err := workspace.Load(s.root, copyOverlay(overlay))
		read <- model{ws, err}
	}()
	listed, recorded, err := s.list(ctx, overlay)
	if s.afterList != nil {
		s.afterList()
	}
	m := <-read
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !maps.EqualFunc(overlay, s.overlay, bytes.Equal) {
		m.ws, m.err = workspace.Load(s.root, copyOverlay(s.overlay))
	}
	if m.err != nil {
		return m.err
	}
	s.listedFromRecord = recorded
	st := newSessionState(s.root, listed, m.ws, s.overlay, s.cache)
	st.saves = &s.saves
	st.syntax = &s.syntax
	st.deps.parseRoot = st.syntax.parse
	s.state = st
	return nil
}

// list lists the session's packages. When every unsaved Go buffer reads
// to go list as its file on disk does (the same build constraints,
// package clause and imports), the listing is the one `modls check ./...`
// records (cachedGoList): the cache's when nothing it was made from
// changed, else the go command's, recorded. Otherwise the go command
// lists them with the buffers. At 1,000 modules the go command takes
// about 1.6 s; the recorded listing is checked in a fraction of that.
// recorded says the listing was the cache's.
func (s *Session) list(ctx context.Context, overlay map[string][]byte) (listed []*listedPackage, recorded bool, err error) {
	patterns := []string{"./..."}
	if s.cache == nil || s.goListing || !listsAsOnDisk(overlay) {
		listed, err = goListOverlay(ctx, s.root, patterns, true, overlay)
		return listed, false, err
	}
	listed, _, recorded, err = cachedGoList(ctx, s.cache, listingKey(s.root, patterns, true), s.root, patterns, true, nil)
	return listed, recorded, err
}

// listsAsOnDisk tells whether go list lists the same packages with the
// overlay's Go files as without: each is a file on disk with the same
// header (fileHeader).
func listsAsOnDisk(overlay map[string][]byte) bool {
	for name, data := range overlay {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		disk, err := os.ReadFile(name)
		if err != nil || (!bytes.Equal(disk, data) && fileHeader(name, disk) != fileHeader(name, data)) {
			return false
		}
	}
	return true
}

// Diagnostics is a run's findings grouped by absolute file name. Every Go
// file of the package checked is present, with an empty list when it has
// no findings, so that a client can clear what it showed before.
type Diagnostics map[string][]Diagnostic

// CheckFile checks the package that holds a Go file, or, for a
// manifest.json, the package of its module, and returns the findings of
// every file that package reports on.
func (s *Session) CheckFile(ctx context.Context, name string) (Diagnostics, error) {
	return s.CheckFileStaged(ctx, name, nil)
}

// CheckFileStaged is CheckFile calling compiled, once the package is
// parsed and type-checked and before the rules run, with its syntax and
// type errors (the compile findings): every Go file of the package but
// its external tests is present, with an empty list when it has none.
// compiled runs on the caller's goroutine.
func (s *Session) CheckFileStaged(ctx context.Context, name string, compiled func(Diagnostics)) (Diagnostics, error) {
	s.mu.Lock()
	st, cfg := s.state, s.cfg
	s.mu.Unlock()
	dir := filepath.Dir(name)
	lp := st.byDir[dir]
	if lp == nil {
		return nil, fmt.Errorf("%s is in no package of %s (a new directory: reload)", name, s.root)
	}
	return st.checkPackage(ctx, lp, cfg, compiled)
}

// PackageFiles lists the files (Go files and the module's manifest.json)
// that a check of name's package reports on.
func (s *Session) PackageFiles(name string) []string {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	lp := st.byDir[filepath.Dir(name)]
	if lp == nil {
		return nil
	}
	return st.filesOf(lp)
}

// Files lists every file a check reports on, over all the packages of
// the session's module (Go files and modules' manifest.json), grouped by
// package.
func (s *Session) Files() [][]string {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	out := make([][]string, 0, len(st.roots))
	for _, lp := range st.roots {
		if files := st.filesOf(lp); len(files) > 0 {
			out = append(out, files)
		}
	}
	return out
}

// Affected returns one file of each package whose findings may change when
// name changes: its own package, packages that import it, and, for a change
// to a module's manifest or services, the packages of every module of the
// application.
func (s *Session) Affected(name string) []string {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	return st.affected(name)
}

// sessionState is what one listing knows: the package metadata, a loader
// whose dependency packages (type-checked without bodies) are kept across
// checks and forgotten only when one of their files changes, and the
// workspace model, updated module by module.
type sessionState struct {
	root   string
	listed []*listedPackage
	byPath map[string]*listedPackage
	byDir  map[string]*listedPackage
	roots  []*listedPackage
	cache  *Cache // may be nil

	// manifests are the package directories that hold a manifest.json;
	// importers lists, by import path, the roots that import it.
	manifests map[string]bool
	importers map[string][]*listedPackage

	mu   sync.Mutex
	deps *loader
	// reverse lists, by import path, the listed packages that import it
	// (made when first needed).
	reverse map[string][]string

	// modelMu guards the workspace model (ws) and the changed files it has
	// not taken yet (pending, to be read with the buffers as of the last
	// change): the model takes them when it is next needed (model), so
	// that a change is taken, and its check type-checks, without waiting
	// for the rebuild.
	modelMu      sync.Mutex
	ws           *workspace.Workspace
	pending      []string
	modelOverlay map[string][]byte
	// factsChanged records, per file, whether its last change altered what
	// other modules' rules read (registrations, lookups, the manifest).
	factsChanged map[string]bool
	// saving serialises the recording of export data, which runs after
	// a check has answered; saves counts the recordings running.
	saving sync.Mutex
	saves  *sync.WaitGroup
	syntax *syntaxCache

	// facts are the analysis facts of the packages of the main module,
	// by import path, for the current contents; factsVersion counts the
	// changes to each package, so that facts computed from an older
	// version are not kept.
	factsMu      sync.Mutex
	facts        map[string]*packageFacts
	factsVersion map[string]int
}

func newSessionState(root string, listed []*listedPackage, ws *workspace.Workspace, overlay map[string][]byte, cache *Cache) *sessionState {
	ov := copyOverlay(overlay)
	st := &sessionState{root: root, listed: listed, byPath: map[string]*listedPackage{}, byDir: map[string]*listedPackage{},
		ws: ws, cache: cache, manifests: map[string]bool{}, importers: map[string][]*listedPackage{}, factsChanged: map[string]bool{},
		facts: map[string]*packageFacts{}, factsVersion: map[string]int{}}
	for _, p := range listed {
		st.byPath[p.ImportPath] = p
		if !p.DepOnly {
			st.byDir[p.Dir] = p
			st.roots = append(st.roots, p)
			if _, err := os.Stat(filepath.Join(p.Dir, "manifest.json")); err == nil {
				st.manifests[p.Dir] = true
			}
		}
	}
	for _, p := range st.roots {
		seen := map[string]bool{}
		for _, imp := range append(append([]string(nil), p.Imports...), p.TestImports...) {
			if !seen[imp] {
				seen[imp] = true
				st.importers[imp] = append(st.importers[imp], p)
			}
		}
	}
	sort.Slice(st.roots, func(i, j int) bool { return st.roots[i].ImportPath < st.roots[j].ImportPath })
	st.deps = st.newDepsLoader(ov)
	return st
}

func copyOverlay(overlay map[string][]byte) map[string][]byte {
	ov := make(map[string][]byte, len(overlay))
	for k, v := range overlay {
		ov[k] = v
	}
	return ov
}

// newDepsLoader makes the loader of dependencies, taking their types from
// the cache's export data where it has them.
func (st *sessionState) newDepsLoader(overlay map[string][]byte) *loader {
	l := newLoader(st.listed, overlay)
	if st.cache != nil {
		h := newHasher(l, st.ws, "")
		l.exports = &exportData{cache: st.cache, key: h.depKey, dir: st.root, unsaved: overlay, byReference: true}
		l.exports.decide(l, st.roots, nil)
	}
	return l
}

// update takes a changed buffer: the workspace model is to rebuild its
// module when next needed, and the loader reads the buffer from now on. When the changed package is
// one that others import (a contract, or any module's package, which the
// application's main imports), the loader forgets the types it holds of
// that package and of every package depending on it, and takes none of
// them from recorded export data any more (their keys describe the text
// they had when the loader was made): they are checked from source when a
// check next needs them. The rest, the framework and the standard library
// above all, stays loaded.
func (st *sessionState) update(name string, data []byte, overlay map[string][]byte) {
	st.modelMu.Lock()
	if !slices.Contains(st.pending, name) {
		st.pending = append(st.pending, name)
	}
	st.modelOverlay = copyOverlay(overlay)
	st.modelMu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	lp := st.byDir[filepath.Dir(name)]
	if lp != nil {
		st.forgetFacts(lp.ImportPath)
	}
	// The package is forgotten whether or not its types were loaded yet:
	// the loader chose which dependencies come from recorded export data
	// by the text they had when it was made, and a load may be starting
	// now. Revoking before the buffer is handed over keeps a check that
	// reads the new text from recording it under the old key.
	if lp != nil {
		gone := st.dependents(lp.ImportPath)
		if st.deps.exports != nil {
			st.deps.exports.revoke(gone)
		}
		st.deps.invalidate(gone)
	}
	st.deps.setOverlay(name, data)
}

// dependents is path and every listed package that imports it, directly
// or not. st.mu is held.
func (st *sessionState) dependents(path string) []string {
	if st.reverse == nil {
		st.reverse = map[string][]string{}
		for _, p := range st.listed {
			for _, imp := range p.Imports {
				if m, ok := p.ImportMap[imp]; ok {
					imp = m
				}
				st.reverse[imp] = append(st.reverse[imp], p.ImportPath)
			}
		}
	}
	out := []string{path}
	seen := map[string]bool{path: true}
	for i := 0; i < len(out); i++ {
		for _, imp := range st.reverse[out[i]] {
			if !seen[imp] {
				seen[imp] = true
				out = append(out, imp)
			}
		}
	}
	return out
}

// model returns the workspace model of the current text, rebuilding the
// modules of the files changed since it was last needed.
func (st *sessionState) model() *workspace.Workspace {
	st.modelMu.Lock()
	defer st.modelMu.Unlock()
	for _, name := range st.pending {
		ws, err := withFile(st.ws, name, st.modelOverlay)
		if err != nil {
			continue
		}
		changed := !sameFacts(st.ws.Module(filepath.Dir(name)), ws.Module(filepath.Dir(name)))
		// A change to a package declaring constants may change the facts
		// of the modules that use them.
		for _, m := range ws.Modules() {
			if old := st.ws.Module(m.Dir); old != nil && !sameFacts(old, m) {
				changed = true
			}
		}
		st.factsChanged[name] = changed
		st.ws = ws
	}
	st.pending = nil
	return st.ws
}

// withFile rebuilds the model after a change; a panic rebuilding it keeps
// the model as it was (the edit's facts wait for the next one) rather than
// taking down the caller, which holds the editor's state.
func withFile(ws *workspace.Workspace, name string, overlay map[string][]byte) (nw *workspace.Workspace, err error) {
	defer func() {
		if r := recover(); r != nil {
			nw, err = nil, fmt.Errorf("workspace model: panic: %v", r)
			if os.Getenv("MODLS_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "modls: %v\n%s", err, debug.Stack())
			}
		}
	}()
	return ws.WithFile(name, workspace.Overlay(overlay))
}

func (st *sessionState) filesOf(lp *listedPackage) []string {
	var out []string
	for _, names := range [][]string{lp.GoFiles, lp.TestGoFiles, lp.XTestGoFiles} {
		for _, n := range names {
			out = append(out, filepath.Join(lp.Dir, n))
		}
	}
	if st.manifests[lp.Dir] {
		out = append(out, filepath.Join(lp.Dir, "manifest.json"))
	}
	return out
}

// sameFacts reports whether two versions of a module agree on what other
// modules' rules read of it.
func sameFacts(a, b *workspace.Module) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Gen == b.Gen {
		return true // the same load: a module the change left as it was
	}
	if string(a.ManifestData) != string(b.ManifestData) || len(a.Registrations) != len(b.Registrations) || len(a.Lookups) != len(b.Lookups) ||
		nonConstantRegistrations(a) != nonConstantRegistrations(b) {
		return false
	}
	for i := range a.Registrations {
		if a.Registrations[i].Service != b.Registrations[i].Service || a.Registrations[i].Methods != b.Registrations[i].Methods {
			return false
		}
	}
	for i := range a.Lookups {
		if a.Lookups[i].Service != b.Lookups[i].Service {
			return false
		}
	}
	return true
}

func nonConstantRegistrations(m *workspace.Module) int {
	n := 0
	for _, nc := range m.NonConstant {
		if nc.What == "registration" {
			n++
		}
	}
	return n
}

// checkPackage type-checks the package (and its external tests) afresh in
// a FileSet of its own, against the kept dependencies, and runs the rules.
// compiled, if set, is given the compile findings before the rules run.
//
// The compile findings are those of the package's own files first, from a
// check of them alone (without the in-package tests, which may double the
// type-check's time), then those of the test files, once the package is
// type-checked with them.
func (st *sessionState) checkPackage(ctx context.Context, lp *listedPackage, cfg *Config, compiled func(Diagnostics)) (Diagnostics, error) {
	st.mu.Lock()
	deps := st.deps
	st.mu.Unlock()
	enabled := cfg.Enabled()
	// The model takes the files changed since it was last needed while
	// the package is type-checked, which leaves a core free: the rules
	// need it once the check is done, and its rebuild grows with the
	// workspace (~0.5 ms at 1,000 modules). When the package's own files
	// are checked first, for their compile findings, it waits for those
	// to be out: the user waits for them, and the check with the tests
	// that follows takes longer than the rebuild.
	model := make(chan *workspace.Workspace, 1)
	rebuild := func() {
		go func() {
			defer func() {
				if recover() != nil {
					model <- nil // taken again below, where a panic is answered
				}
			}()
			model <- st.model()
		}()
	}
	fset := st.syntax.fileSet(deps)
	if compiled != nil && len(lp.TestGoFiles) > 0 {
		if own, err := deps.ownFiles(lp.ImportPath, fset); err == nil {
			compiled(compileFindings(fset, own, cfg, deps))
		}
		rebuild()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	} else {
		rebuild()
	}
	pkg, err := deps.check(lp.ImportPath, true, false, fset, nil)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if compiled != nil {
		compiled(compileFindings(fset, pkg, cfg, deps))
	}
	ws := <-model
	if ws == nil {
		ws = st.model()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	workspace.Put(ws)
	src := st.factSource(deps, analyzersOf(enabled))
	version := st.factsVersionOf(lp.ImportPath)
	store := newFactStore(pkg.Types, src, deps.codec())
	ds := packageDiagnostics(fset, pkg, enabled, cfg, deps.readFile, store, nil, deps.codec())
	st.putFacts(lp.ImportPath, version, store.encoded())
	if len(lp.XTestGoFiles) > 0 {
		xpkg, err := deps.checkXTest(lp.ImportPath, fset, pkg)
		if err != nil {
			return nil, err
		}
		ds = append(ds, packageDiagnostics(fset, xpkg, enabled, cfg, deps.readFile, newFactStore(xpkg.Types, src, deps.codec()), nil, deps.codec())...)
	}
	if deps.exports != nil && st.saves != nil {
		st.saves.Add(1)
		go func() {
			defer st.saves.Done()
			st.saving.Lock()
			defer st.saving.Unlock()
			deps.exports.save(deps)
		}()
	}
	out := Diagnostics{}
	for _, f := range st.filesOf(lp) {
		out[f] = []Diagnostic{}
	}
	for _, d := range sortDiagnostics(ds) {
		if d.File == "" {
			continue
		}
		out[d.File] = append(out[d.File], d)
	}
	return out, nil
}

// compileFindings are the syntax and type errors of a checked package, by
// file: every file of the package is present.
func compileFindings(fset *token.FileSet, pkg *Package, cfg *Config, l *loader) Diagnostics {
	out := Diagnostics{}
	for _, f := range pkg.FileNames {
		out[f] = []Diagnostic{}
	}
	for _, d := range sortDiagnostics(packageDiagnostics(fset, pkg, nil, cfg, l.readFile, nil, nil, l.codec())) {
		if d.Rule == RuleCompile && d.File != "" {
			out[d.File] = append(out[d.File], d)
		}
	}
	return out
}

// ownFiles type-checks the files of a root package without its in-package
// tests, with function bodies, into fset, against l's packages, for its
// compile findings alone: its types.Info is left empty.
func (l *loader) ownFiles(path string, fset *token.FileSet) (*Package, error) {
	lp := l.listed[path]
	if lp == nil {
		return nil, fmt.Errorf("package %s is not in the build", path)
	}
	own := *lp
	own.TestGoFiles, own.XTestGoFiles = nil, nil
	l.overlayMu.RLock()
	overlay := copyOverlay(l.overlay)
	l.overlayMu.RUnlock()
	v := newLoader(nil, overlay)
	v.listed = map[string]*listedPackage{path: &own}
	v.sizes, v.base, v.own, v.parseRoot, v.errorsOnly = l.sizes, l, map[string]bool{}, l.parseRoot, true
	return v.check(path, true, false, fset, nil)
}

// syntaxCache keeps the syntax of the files of the packages a session
// checked last, with the text and mode it was parsed from, so that a check
// after a keystroke parses the edited file alone. A file kept joins the
// FileSet of each check that reads it (token.FileSet.AddExistingFiles).
// The FileSets of the session's checks (fileSet) each take a range of
// positions of their own, far beyond the dependencies', so that files
// parsed by different checks never overlap; parses into other FileSets
// are not kept.
type syntaxCache struct {
	mu    sync.Mutex
	next  int // the base of the next check's range
	files map[string]*parsedFile
	// dirs are the directories of the files kept, the most recently read
	// last; the files of at most syntaxDirs are kept.
	dirs []string
}

type parsedFile struct {
	src  []byte
	mode parser.Mode
	file *ast.File
	tf   *token.File
	err  error
}

const (
	syntaxBase  = 1 << 50 // where the checks' ranges start
	syntaxRange = 1 << 32 // the positions of one check
	syntaxDirs  = 8
)

// fileSet returns the FileSet of one check: its positions start at a range
// of its own, beyond every position the dependencies' FileSet (l's) holds,
// so that the check's files are dropped with it.
func (c *syntaxCache) fileSet(l *loader) *token.FileSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = max(c.next, syntaxBase, l.fset.Base()+1<<40)
	fset := token.NewFileSet()
	fset.AddFile("", c.next, 0)
	c.next += syntaxRange
	return fset
}

// parse is parser.ParseFile answering from the files kept when the text
// and mode are those they were parsed from.
func (c *syntaxCache) parse(fset *token.FileSet, name string, src any, mode parser.Mode) (*ast.File, error) {
	text, ok := src.([]byte)
	if !ok || fset.Base() < syntaxBase {
		return parser.ParseFile(fset, name, src, mode)
	}
	c.mu.Lock()
	p := c.files[name]
	c.mu.Unlock()
	if p != nil && p.mode == mode && bytes.Equal(p.src, text) && p.tf.Base() < fset.Base() {
		fset.AddExistingFiles(p.tf)
		c.used(name)
		return p.file, p.err
	}
	f, err := parser.ParseFile(fset, name, text, mode)
	if f == nil {
		return f, err
	}
	c.mu.Lock()
	if c.files == nil {
		c.files = map[string]*parsedFile{}
	}
	c.files[name] = &parsedFile{src: text, mode: mode, file: f, tf: fset.File(f.FileStart), err: err}
	c.mu.Unlock()
	c.used(name)
	return f, err
}

// used records that a file of name's directory was read, forgetting the
// files of the directory read least recently beyond syntaxDirs.
func (c *syntaxCache) used(name string) {
	dir := filepath.Dir(name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.dirs); n > 0 && c.dirs[n-1] == dir {
		return
	}
	c.dirs = append(slices.DeleteFunc(c.dirs, func(d string) bool { return d == dir }), dir)
	if len(c.dirs) > syntaxDirs {
		gone := c.dirs[0]
		c.dirs = c.dirs[1:]
		for f := range c.files {
			if filepath.Dir(f) == gone {
				delete(c.files, f)
			}
		}
	}
}

// factSource returns the facts of the session's packages, computing those
// not known yet from the package's current contents.
func (st *sessionState) factSource(deps *loader, analyzers []*analysis.Analyzer) factSource {
	producers := factful(analyzers)
	var src factSource
	src = func(path string) *packageFacts {
		if len(producers) == 0 || !hasFacts(st.byPath[path]) {
			return nil
		}
		st.factsMu.Lock()
		pf, ok := st.facts[path]
		version := st.factsVersion[path]
		st.factsMu.Unlock()
		if ok {
			return pf
		}
		pf = factsOfPackage(deps, deps.checkFileSet(), path, producers, src)
		st.putFacts(path, version, pf)
		return pf
	}
	return src
}

func (st *sessionState) factsVersionOf(path string) int {
	st.factsMu.Lock()
	defer st.factsMu.Unlock()
	return st.factsVersion[path]
}

// putFacts keeps the facts of a package unless it changed since version.
func (st *sessionState) putFacts(path string, version int, pf *packageFacts) {
	st.factsMu.Lock()
	defer st.factsMu.Unlock()
	if st.factsVersion[path] == version {
		st.facts[path] = pf
	}
}

// forgetFacts drops the facts of a changed package and of every package
// that imports it, directly or not: theirs may derive from its.
func (st *sessionState) forgetFacts(path string) {
	st.factsMu.Lock()
	defer st.factsMu.Unlock()
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		delete(st.facts, p)
		st.factsVersion[p]++
		for _, imp := range st.importers[p] {
			visit(imp.ImportPath)
		}
	}
	visit(path)
}

func (st *sessionState) affected(name string) []string {
	dir := filepath.Dir(name)
	var out []string
	seen := map[string]bool{}
	add := func(lp *listedPackage) {
		if lp != nil && !seen[lp.Dir] {
			seen[lp.Dir] = true
			if files := st.filesOf(lp); len(files) > 0 {
				out = append(out, files[0])
			}
		}
	}
	self := st.byDir[dir]
	add(self)
	if self != nil {
		for _, p := range st.importers[self.ImportPath] {
			add(p)
		}
	}
	st.model()
	st.modelMu.Lock()
	changed, known := st.factsChanged[name]
	st.modelMu.Unlock()
	if !known || changed {
		// Manifests and registrations are read across modules: re-check
		// every package that belongs to a module.
		for _, p := range st.roots {
			if st.manifests[moduleDirOf(p.Dir)] {
				add(p)
			}
		}
	}
	return out
}

// moduleDirOf is the modules/<type>/<name> directory above dir, or dir.
func moduleDirOf(dir string) string {
	for d := dir; ; {
		if filepath.Base(filepath.Dir(filepath.Dir(d))) == "modules" {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// Close releases the session's cache, once the export data being
// recorded is written.
func (s *Session) Close() error {
	s.saves.Wait()
	if s.cache != nil {
		return s.cache.Close()
	}
	return nil
}
