package checker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/modls/modls/rules"
	"github.com/modls/modls/workspace"
)

// cacheVersion changes when the cache's key or value format does.
const cacheVersion = "modls-cache-3"

// rulesFingerprint identifies the rule implementations and settings: the
// modls build (buildIdentity) and each enabled rule's severity. A rebuilt
// modls never reads results of an older one. It names no path, user or
// machine: two runners with the same modls build and settings agree.
func rulesFingerprint(c *Cache, cfg *Config, enabled []rules.Rule) string {
	return cacheVersion + "|" + buildIdentity(c) + "|" + cfg.fingerprint(enabled)
}

// hasher computes content keys: a package's key covers its files, the keys
// of what it imports, the workspace facts its rules read, and the rules.
//
// With observe set (a batch check), the keys of findings and facts cover
// what each imported package of the application shows its importers (its
// interface: see obsKey) instead of its text, so that an edit its
// importers cannot see leaves their keys as they were (early cutoff).
// Export data stays keyed by content (depKey).
type hasher struct {
	l     *loader
	ws    *workspace.Workspace
	rules string
	paths *pathCodec // names files relative to their modules
	gover string     // the go command's version

	// observe, if set, type-checks a package of the application (as its
	// importers see it: without bodies) and returns its export data and
	// its analysis facts; ok is false when it could not.
	observe func(path string) (api []byte, facts *packageFacts, ok bool)

	// sums, when set, are the digests of the files the check read from
	// its tree, whose bytes are the loader's (tree.sums after loadAll).
	sums map[string]string

	mu      sync.Mutex
	digests map[string]string
	deps    map[string]*depEntry
	modules map[string]string // by module directory
	apps    map[string]string // by application directory
	cuts    map[string]*depEntry
	ifaces  map[string]*ifaceEntry
	cyclic  map[string]bool // packages of the application in or above an import cycle
}

// ifaceEntry is a package's interface digest: known from the cache
// (recorded), or computed once in this run (fresh, to record).
type ifaceEntry struct {
	once   sync.Once
	known  bool
	fresh  bool
	digest string
}

func newHasher(l *loader, ws *workspace.Workspace, rules string) *hasher {
	paths := l.codec()
	return &hasher{l: l, ws: ws, rules: rules, paths: paths, gover: paths.goVersion(), digests: map[string]string{}, deps: map[string]*depEntry{}, modules: map[string]string{}, apps: map[string]string{},
		cuts: map[string]*depEntry{}, ifaces: map[string]*ifaceEntry{}}
}

func (h *hasher) files(sum hash.Hash, dir string, names []string) bool {
	for _, n := range names {
		d, err := h.digest(filepath.Join(dir, n))
		if err != nil {
			return false
		}
		fmt.Fprintf(sum, "%s %s\n", n, d)
	}
	return true
}

// digest is the digest of a file's contents as the check reads them
// (contentDigest), computed once per file: from the tree's record when
// the check read the file from it, else from the loader's bytes.
func (h *hasher) digest(name string) (string, error) {
	h.mu.Lock()
	d, ok := h.digests[name]
	h.mu.Unlock()
	if ok {
		return d, nil
	}
	if h.sums != nil {
		if d, ok := h.sums[name]; ok {
			return d, nil
		}
	}
	data, err := h.l.readFile(name)
	if err != nil {
		return "", err
	}
	d = contentDigest(data)
	h.mu.Lock()
	h.digests[name] = d
	h.mu.Unlock()
	return d, nil
}

// depKey is the key of a dependency: the standard library and versioned
// modules by their identity, packages of the workspace by content.
func (h *hasher) depKey(path string) string { return h.depKeyFrom(path, nil) }

type depEntry struct {
	once sync.Once
	key  string
}

// depKeyFrom computes a key once per path; visiting holds the import chain
// that led here, so that an import cycle in broken code ends instead of
// waiting on itself.
func (h *hasher) depKeyFrom(path string, visiting map[string]bool) string {
	if visiting[path] {
		return "cycle:" + path
	}
	h.mu.Lock()
	e := h.deps[path]
	if e == nil {
		e = &depEntry{}
		h.deps[path] = e
	}
	h.mu.Unlock()
	e.once.Do(func() { e.key = h.computeDepKey(path, visiting) })
	return e.key
}

func (h *hasher) computeDepKey(path string, visiting map[string]bool) string {
	lp := h.l.listed[path]
	switch {
	case lp == nil:
		return "missing:" + path
	case lp.Standard:
		// The go command's version and the files the build selects
		// (GOOS, GOARCH, tags, cgo): not GOROOT's place.
		return "std:" + path + ":" + h.goVersion() + ":" + strings.Join(lp.GoFiles, ",")
	case lp.Module != nil && lp.Module.Version != "" && strings.Contains(lp.Module.Dir, "@"):
		// Immutable for its version, wherever the module cache is.
		return "mod:" + lp.Module.Version + ":" + path + ":" + h.goVersion() + ":" + strings.Join(lp.GoFiles, ",")
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n%s\n", path, h.paths.encode(lp.Dir), h.goVersion())
	if lp.Module != nil {
		fmt.Fprintf(sum, "go %s\n", lp.Module.GoVersion)
	}
	if !h.files(sum, lp.Dir, lp.GoFiles) {
		return ""
	}
	next := make(map[string]bool, len(visiting)+1)
	for k := range visiting {
		next[k] = true
	}
	next[path] = true
	imps := append([]string(nil), lp.Imports...)
	sort.Strings(imps)
	for _, imp := range imps {
		k := h.depKeyFrom(imp, next)
		if k == "" {
			return ""
		}
		fmt.Fprintf(sum, "import %s %s\n", imp, k)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// goVersion is the go command's version, as its standard library says.
func (h *hasher) goVersion() string { return h.gover }

// The interface of a package of the application is what a package
// importing it can observe of it: its export data (the types of its
// declarations, with their positions, and of what they refer to in other
// packages) and the facts its analysis exports (which hold positions in
// its bodies), and, as these name objects of what it imports, the
// interfaces of its own imports. A comment, or a function body whose
// facts and line count stay, leaves it as it was. The standard library,
// the framework and other modules have no facts and are keyed by identity
// or content (depKey) as before.
//
// The interface is a function of the package's content and that of what
// it imports, so the cache records it under the content key (ifaceRowKey):
// a package that did not change is not type-checked to learn it. One that
// did is type-checked without bodies (its export data) and analysed for
// its facts (which its own check in the same run gives), and its
// importers' keys are computed from what that shows.

// cutoff reports whether path's importers key it by its interface.
func (h *hasher) cutoff(path string) bool {
	if h.observe == nil || !hasFacts(h.l.listed[path]) {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cyclic == nil {
		h.cyclic = cyclicPackages(h.l.listed)
	}
	return !h.cyclic[path]
}

// cyclicPackages are the packages of the listing that are in an import
// cycle (broken code) or import one: they are keyed by content, as a
// cycle has no interface computed from its imports'.
func cyclicPackages(listed map[string]*listedPackage) map[string]bool {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	bad := map[string]bool{}
	var visit func(path string) bool
	visit = func(path string) bool {
		switch state[path] {
		case visiting:
			return true
		case done:
			return bad[path]
		}
		state[path] = visiting
		cyc := false
		if lp := listed[path]; lp != nil && !lp.Standard {
			for _, imp := range lp.Imports {
				if visit(imp) {
					cyc = true
				}
			}
		}
		state[path] = done
		bad[path] = cyc
		return cyc
	}
	for path := range listed {
		visit(path)
	}
	return bad
}

// ifaceRowKey is the cache key under which a package's interface digest
// is recorded: its content and the rules (which decide its facts).
func (h *hasher) ifaceRowKey(path string) string {
	k := h.depKey(path)
	if k == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("iface\n" + h.rules + "\n" + k))
	return "iface|" + hex.EncodeToString(sum[:])
}

func (h *hasher) ifaceEntry(path string) *ifaceEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.ifaces[path]
	if e == nil {
		e = &ifaceEntry{}
		h.ifaces[path] = e
	}
	return e
}

// ifacesAsked, if set, is called with the packages whose recorded
// interfaces knowIfaces asks the cache for (for tests).
var ifacesAsked func(paths []string)

// knowIfaces takes the recorded interfaces of the given packages: from
// known (the last memo's, by the keys of their rows) when it has them,
// else from the cache, in one query.
func (h *hasher) knowIfaces(c *Cache, paths []string, known map[string]string) {
	byKey := map[string]string{}
	var keys []string
	for _, p := range paths {
		if !h.cutoff(p) {
			continue
		}
		k := h.ifaceRowKey(p)
		if k == "" {
			continue
		}
		if d, ok := known[k]; ok {
			e := h.ifaceEntry(p)
			e.once.Do(func() { e.known, e.digest = true, d })
			continue
		}
		byKey[k] = p
		keys = append(keys, k)
	}
	if ifacesAsked != nil {
		ifacesAsked(slices.Sorted(maps.Values(byKey)))
	}
	for k, data := range c.FactsOf(keys) {
		e := h.ifaceEntry(byKey[k])
		e.once.Do(func() { e.known, e.digest = true, string(data) })
	}
}

// knownIfaces returns the interface digests known (recorded or computed)
// by the keys of their facts rows, for the memo.
func (h *hasher) knownIfaces() map[string]string {
	h.mu.Lock()
	paths := make([]string, 0, len(h.ifaces))
	for p, e := range h.ifaces {
		if e.known && e.digest != "" {
			paths = append(paths, p)
		}
	}
	h.mu.Unlock()
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		if k := h.ifaceRowKey(p); k != "" {
			h.mu.Lock()
			out[k] = h.ifaces[p].digest
			h.mu.Unlock()
		}
	}
	return out
}

// obsKey is what importers of path key it by: its interface for a package
// of the application, else its depKey. An interface neither recorded nor
// computed yet is computed when compute is set (type-checking and
// analysing the package); otherwise known is false.
func (h *hasher) obsKey(path string, compute bool) (key string, known bool) {
	if !h.cutoff(path) {
		return h.depKey(path), true
	}
	e := h.ifaceEntry(path)
	if !compute {
		h.mu.Lock()
		defer h.mu.Unlock()
		if e.known {
			return e.digest, true
		}
		return "", false
	}
	e.once.Do(func() {
		d := h.computeIface(path)
		h.mu.Lock()
		e.known, e.fresh, e.digest = true, d != "", d
		h.mu.Unlock()
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	return e.digest, true
}

// computeIface observes a package and digests its interface, or returns
// "" when it cannot be known (importers then cannot be keyed).
func (h *hasher) computeIface(path string) string {
	lp := h.l.listed[path]
	api, pf, ok := h.observe(path)
	if !ok {
		// Keyed by content, as without cutoff.
		if k := h.depKey(path); k != "" {
			return "content " + k
		}
		return ""
	}
	sum := sha256.New()
	// Positions in facts name files by absolute path: the digest is of
	// their portable form.
	fmt.Fprintf(sum, "iface %s\n", path)
	fmt.Fprintf(sum, "api %d\n%s", len(api), api)
	if pf != nil {
		for _, f := range pf.Facts {
			data := h.paths.encodeText(string(f.Data))
			fmt.Fprintf(sum, "fact %s %s %s %d\n%s", f.Analyzer, f.Object, f.Type, len(data), data)
		}
	}
	imps := append([]string(nil), lp.Imports...)
	sort.Strings(imps)
	for _, imp := range imps {
		k, _ := h.obsKey(imp, true)
		if k == "" {
			return ""
		}
		fmt.Fprintf(sum, "import %s %s\n", imp, k)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// freshIfaces returns the interfaces computed in this run, by the cache
// key to record them under.
func (h *hasher) freshIfaces() map[string][]byte {
	h.mu.Lock()
	var paths []string
	for p, e := range h.ifaces {
		if e.fresh {
			paths = append(paths, p)
		}
	}
	h.mu.Unlock()
	out := map[string][]byte{}
	for _, p := range paths {
		e := h.ifaceEntry(p)
		if k := h.ifaceRowKey(p); k != "" {
			out[k] = []byte(e.digest)
		}
	}
	return out
}

// cutKey is a package's content with the interfaces of what it imports
// (where depKey has their content): what its analysis depends on.
func (h *hasher) cutKey(path string) string {
	if !h.cutoff(path) {
		return h.depKey(path)
	}
	h.mu.Lock()
	e := h.cuts[path]
	if e == nil {
		e = &depEntry{}
		h.cuts[path] = e
	}
	h.mu.Unlock()
	e.once.Do(func() {
		lp := h.l.listed[path]
		sum := sha256.New()
		fmt.Fprintf(sum, "cut %s\n%s\n%s\n", path, h.paths.encode(lp.Dir), h.goVersion())
		if lp.Module != nil {
			fmt.Fprintf(sum, "go %s\n", lp.Module.GoVersion)
		}
		if !h.files(sum, lp.Dir, lp.GoFiles) {
			return
		}
		imps := append([]string(nil), lp.Imports...)
		sort.Strings(imps)
		for _, imp := range imps {
			k, _ := h.obsKey(imp, true)
			if k == "" {
				return
			}
			fmt.Fprintf(sum, "import %s %s\n", imp, k)
		}
		e.key = hex.EncodeToString(sum.Sum(nil))
	})
	return e.key
}

// factsKey is the cache key of a package's analysis facts: its content,
// what it imports shows (cutKey) and the rules, or "" when a file could
// not be read.
func (h *hasher) factsKey(path string) string {
	k := h.cutKey(path)
	if k == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("facts\n" + h.rules + "\n" + k))
	return hex.EncodeToString(sum[:])
}

// rootKey is the cache key of a root package's findings, or "" when a file
// could not be read (such a package is never cached).
func (h *hasher) rootKey(lp *listedPackage) string {
	k, _ := h.rootKeyOf(lp, true)
	return k
}

// rootKeyOf is rootKey; without compute, known is false when an
// interface it needs is not known yet.
func (h *hasher) rootKeyOf(lp *listedPackage, compute bool) (key string, known bool) {
	seen := map[string]bool{}
	var imps []string
	for _, list := range [][]string{lp.Imports, lp.TestImports, lp.XTestImports} {
		for _, imp := range list {
			if !seen[imp] && imp != lp.ImportPath {
				seen[imp] = true
				imps = append(imps, imp)
			}
		}
	}
	sort.Strings(imps)
	obs := make([]string, len(imps))
	for i, imp := range imps {
		k, ok := "", true
		if len(lp.XTestImports)+len(lp.TestImports) > 0 && importsPath(h.l.listed, imp, lp.ImportPath) {
			// Imported by the package's tests, and importing it: its
			// interface waits for the package's own check, so it is
			// keyed by content.
			k = h.depKey(imp)
		} else {
			k, ok = h.obsKey(imp, compute)
		}
		if !ok {
			return "", false
		}
		if k == "" {
			return "", true
		}
		obs[i] = k
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n%s\n%s\n", h.rules, lp.ImportPath, h.paths.encode(lp.Dir), h.goVersion())
	if lp.Module != nil {
		fmt.Fprintf(sum, "go %s\n", lp.Module.GoVersion)
	}
	for _, names := range [][]string{lp.GoFiles, lp.TestGoFiles, lp.XTestGoFiles} {
		if !h.files(sum, lp.Dir, names) {
			return "", true
		}
		sum.Write([]byte{0})
	}
	for i, imp := range imps {
		fmt.Fprintf(sum, "import %s %s\n", imp, obs[i])
	}
	if m := h.ws.Module(lp.Dir); m != nil {
		mk := h.moduleKey(m)
		if mk == "" {
			return "", true
		}
		fmt.Fprintf(sum, "module %s\n", mk)
	}
	return hex.EncodeToString(sum.Sum(nil)), true
}

// moduleKey covers what rules read of a module beyond the package itself:
// every file of the module (its tests, its other packages) and the
// application's facts.
func (h *hasher) moduleKey(m *workspace.Module) string {
	h.mu.Lock()
	if k, ok := h.modules[m.Dir]; ok {
		h.mu.Unlock()
		return k
	}
	h.mu.Unlock()
	sum := sha256.New()
	for _, f := range m.Files {
		d, err := h.digest(f)
		if err != nil {
			return ""
		}
		fmt.Fprintf(sum, "%s %s\n", h.paths.encode(f), d)
	}
	fmt.Fprintf(sum, "app %s\n", h.appKey(m.App))
	k := hex.EncodeToString(sum.Sum(nil))
	h.mu.Lock()
	h.modules[m.Dir] = k
	h.mu.Unlock()
	return k
}

// appKey covers the facts of every module of an application that other
// modules' rules read: manifests and registrations (what
// workspace.LoadFor reads of a module it reads in part).
func (h *hasher) appKey(a *workspace.App) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if k, ok := h.apps[a.Dir]; ok {
		return k
	}
	sum := sha256.New()
	for _, m := range a.Modules {
		var merr string
		if m.ManifestErr != nil {
			merr = h.paths.encodeText(m.ManifestErr.Error())
		}
		fmt.Fprintf(sum, "module %s %s %s\n", h.paths.encode(m.Dir), m.Name(), merr)
		sum.Write(m.ManifestData)
		for _, r := range m.Registrations {
			fmt.Fprintf(sum, "reg %s %d %s:%d:%d\n", r.Service, r.Methods, h.paths.encode(r.Pos.Filename), r.Pos.Line, r.Pos.Column)
		}
		for _, n := range m.NonConstant {
			if n.What == "registration" {
				fmt.Fprintf(sum, "non-constant %s\n", n.What)
			}
		}
	}
	k := hex.EncodeToString(sum.Sum(nil))
	h.apps[a.Dir] = k
	return k
}

// unknownIfaces are the packages of paths whose importers key them by an
// interface not known yet.
func (h *hasher) unknownIfaces(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, known := h.obsKey(p, false); !known {
			out = append(out, p)
		}
	}
	return out
}

// importedBy lists the packages of the application that the roots import
// (with their tests), directly or not.
func importedBy(listed map[string]*listedPackage, roots []*listedPackage) []string {
	seen := map[string]bool{}
	var out []string
	var visit func(path string)
	visit = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		lp := listed[path]
		if !hasFacts(lp) {
			return
		}
		out = append(out, path)
		for _, imp := range lp.Imports {
			visit(imp)
		}
	}
	for _, r := range roots {
		for _, list := range [][]string{r.Imports, r.TestImports, r.XTestImports} {
			for _, imp := range list {
				if imp != r.ImportPath {
					visit(imp)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// importsPath reports whether the package from imports the package to,
// directly or not, through packages of the application.
func importsPath(listed map[string]*listedPackage, from, to string) bool {
	seen := map[string]bool{}
	var visit func(path string) bool
	visit = func(path string) bool {
		if path == to {
			return true
		}
		if seen[path] {
			return false
		}
		seen[path] = true
		lp := listed[path]
		if !hasFacts(lp) {
			return false
		}
		for _, imp := range lp.Imports {
			if visit(imp) {
				return true
			}
		}
		return false
	}
	return visit(from)
}
