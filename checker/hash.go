package checker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/modls/modls/rules"
	"github.com/modls/modls/workspace"
)

// cacheVersion changes when the cache's key or value format does.
const cacheVersion = "modls-cache-2"

// rulesFingerprint identifies the rule implementations and settings: the
// modls build (buildIdentity) and each enabled rule's severity. A rebuilt
// modls never reads results of an older one. It names no path, user or
// machine: two runners with the same modls build and settings agree.
func rulesFingerprint(c *Cache, cfg *Config, enabled []rules.Rule) string {
	return cacheVersion + "|" + buildIdentity(c) + "|" + cfg.fingerprint(enabled)
}

// hasher computes content keys: a package's key covers its files, the keys
// of what it imports, the workspace facts its rules read, and the rules.
type hasher struct {
	l     *loader
	ws    *workspace.Workspace
	rules string
	paths *pathCodec // names files relative to their modules
	gover string     // the go command's version

	mu      sync.Mutex
	deps    map[string]*depEntry
	modules map[*workspace.Module]string
	apps    map[*workspace.App]string
}

func newHasher(l *loader, ws *workspace.Workspace, rules string) *hasher {
	paths := l.codec()
	return &hasher{l: l, ws: ws, rules: rules, paths: paths, gover: paths.goVersion(), deps: map[string]*depEntry{}, modules: map[*workspace.Module]string{}, apps: map[*workspace.App]string{}}
}

func (h *hasher) files(sum hash.Hash, dir string, names []string) bool {
	for _, n := range names {
		data, err := h.l.readFile(filepath.Join(dir, n))
		if err != nil {
			return false
		}
		fmt.Fprintf(sum, "%s %d\n", n, len(data))
		sum.Write(data)
	}
	return true
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

// factsKey is the cache key of a package's analysis facts: its content,
// its dependencies' and the rules', or "" when a file could not be read.
func (h *hasher) factsKey(path string) string {
	k := h.depKey(path)
	if k == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("facts\n" + h.rules + "\n" + k))
	return hex.EncodeToString(sum[:])
}

// rootKey is the cache key of a root package's findings, or "" when a file
// could not be read (such a package is never cached).
func (h *hasher) rootKey(lp *listedPackage) string {
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n%s\n%s\n", h.rules, lp.ImportPath, h.paths.encode(lp.Dir), h.goVersion())
	if lp.Module != nil {
		fmt.Fprintf(sum, "go %s\n", lp.Module.GoVersion)
	}
	for _, names := range [][]string{lp.GoFiles, lp.TestGoFiles, lp.XTestGoFiles} {
		if !h.files(sum, lp.Dir, names) {
			return ""
		}
		sum.Write([]byte{0})
	}
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
	for _, imp := range imps {
		k := h.depKey(imp)
		if k == "" {
			return ""
		}
		fmt.Fprintf(sum, "import %s %s\n", imp, k)
	}
	if m := h.ws.Module(lp.Dir); m != nil {
		mk := h.moduleKey(m)
		if mk == "" {
			return ""
		}
		fmt.Fprintf(sum, "module %s\n", mk)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// moduleKey covers what rules read of a module beyond the package itself:
// every file of the module (its tests, its other packages) and the
// application's facts.
func (h *hasher) moduleKey(m *workspace.Module) string {
	h.mu.Lock()
	if k, ok := h.modules[m]; ok {
		h.mu.Unlock()
		return k
	}
	h.mu.Unlock()
	sum := sha256.New()
	for _, f := range m.Files {
		data, err := h.l.readFile(f)
		if err != nil {
			return ""
		}
		fmt.Fprintf(sum, "%s %d\n", h.paths.encode(f), len(data))
		sum.Write(data)
	}
	fmt.Fprintf(sum, "app %s\n", h.appKey(m.App))
	k := hex.EncodeToString(sum.Sum(nil))
	h.mu.Lock()
	h.modules[m] = k
	h.mu.Unlock()
	return k
}

// appKey covers the facts of every module of an application that other
// modules' rules read: manifests, registrations, lookups.
func (h *hasher) appKey(a *workspace.App) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if k, ok := h.apps[a]; ok {
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
		for _, r := range m.Lookups {
			fmt.Fprintf(sum, "lookup %s %s:%d:%d\n", r.Service, h.paths.encode(r.Pos.Filename), r.Pos.Line, r.Pos.Column)
		}
		for _, n := range m.NonConstant {
			if n.What == "registration" {
				fmt.Fprintf(sum, "non-constant %s\n", n.What)
			}
		}
	}
	k := hex.EncodeToString(sum.Sum(nil))
	h.apps[a] = k
	return k
}
