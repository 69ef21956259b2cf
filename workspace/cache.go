package workspace

import (
	"go/token"
	"path/filepath"
	"sync"
)

// The models of the workspaces seen by this process, by root. Analyzers
// reach the model through ForDir; a long-running process (the language
// server) calls Reset when files change.
var cache struct {
	sync.Mutex
	byRoot  map[string]*entry
	overlay Overlay
}

type entry struct {
	once sync.Once
	w    *Workspace
	err  error
}

// ForDir returns the model of the workspace that holds dir, loading it once.
func ForDir(dir string) (*Workspace, error) {
	root, err := FindRoot(dir)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	if cache.byRoot == nil {
		cache.byRoot = map[string]*entry{}
	}
	e := cache.byRoot[root]
	if e == nil {
		e = &entry{}
		cache.byRoot[root] = e
	}
	overlay := cache.overlay
	cache.Unlock()
	e.once.Do(func() { e.w, e.err = Load(root, overlay) })
	return e.w, e.err
}

// ModuleOf returns the workspace and the module whose directory holds the
// file, or a nil module if the file belongs to no module.
func ModuleOf(filename string) (*Workspace, *Module, error) {
	dir := filepath.Dir(filename)
	w, err := ForDir(dir)
	if err != nil {
		return nil, nil, err
	}
	return w, w.Module(dir), nil
}

// Reset forgets every model; later loads read overlay before the disk.
func Reset(overlay Overlay) {
	cache.Lock()
	cache.byRoot = nil
	cache.overlay = overlay
	cache.Unlock()
}

// Put installs a model built elsewhere (with its own overlay) as the model
// of its root.
func Put(w *Workspace) {
	cache.Lock()
	if cache.byRoot == nil {
		cache.byRoot = map[string]*entry{}
	}
	e := &entry{w: w}
	e.once.Do(func() {})
	cache.byRoot[w.Root] = e
	cache.Unlock()
}

// scoped are the models installed for the FileSets of one check (a
// Scope's), by FileSet.
var scoped sync.Map

// Scope installs a model for the FileSets one check parses its packages
// into, and for no one else: a model LoadFor read in part serves the check
// that made it, while another check of the same tree, at the same time,
// keeps its own.
type Scope struct {
	w     *Workspace
	mu    sync.Mutex
	fsets []*token.FileSet
}

// NewScope returns a scope of w, with no FileSet yet.
func NewScope(w *Workspace) *Scope { return &Scope{w: w} }

// Add makes the scope's model the model of the packages parsed into fset.
func (s *Scope) Add(fset *token.FileSet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fsets = append(s.fsets, fset)
	scoped.Store(fset, s.w)
}

// Model returns the scope's model.
func (s *Scope) Model() *Workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w
}

// Set replaces the scope's model, for its FileSets from now on: a model
// with more of its modules read in full (Workspace.Complete), whose
// facts of every other module are those of the one it replaces.
func (s *Scope) Set(w *Workspace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w = w
	for _, f := range s.fsets {
		scoped.Store(f, w)
	}
}

// Close removes the scope's model from its FileSets.
func (s *Scope) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.fsets {
		scoped.Delete(f)
	}
	s.fsets = nil
}

// ModuleIn is ModuleOf for a file parsed into fset: the model of fset's
// scope when it has one.
func ModuleIn(fset *token.FileSet, filename string) (*Workspace, *Module, error) {
	if v, ok := scoped.Load(fset); ok {
		w := v.(*Workspace)
		return w, w.Module(filepath.Dir(filename)), nil
	}
	return ModuleOf(filename)
}
