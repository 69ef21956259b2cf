package workspace

import (
	"slices"
	"sync"
)

// depGraph tells which module names of an application lie on a cycle of
// declared dependencies: a name whose module a dependency leads back to.
// It is made when first asked, once per graph; models after a change
// that keeps every module's name and dependencies share it.
type depGraph struct {
	once   sync.Once
	cyclic map[string]bool
}

// onCycle reports whether name lies on a cycle of a's dependencies.
func (a *App) onCycle(name string) bool {
	g := a.deps
	if g == nil {
		g = &depGraph{}
	}
	g.once.Do(func() { g.cyclic = cycles(a) })
	return g.cyclic[name]
}

// cycles finds the strongly connected components of the application's
// graph of names (a name's edges are the dependencies of the module
// ByName finds) and returns the names in a component of more than one
// name, or with an edge to itself.
func cycles(a *App) map[string]bool {
	out := map[string]bool{}
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var connect func(name string)
	connect = func(name string) {
		index[name] = len(index)
		low[name] = index[name]
		stack = append(stack, name)
		onStack[name] = true
		if m := a.ByName(name); m != nil {
			for _, d := range m.Manifest.Dependencies {
				if d == name {
					out[name] = true
				}
				if _, seen := index[d]; !seen {
					if a.ByName(d) == nil {
						continue // no edges: on no cycle
					}
					connect(d)
					low[name] = min(low[name], low[d])
				} else if onStack[d] {
					low[name] = min(low[name], index[d])
				}
			}
		}
		if low[name] != index[name] {
			return
		}
		i := len(stack) - 1
		for stack[i] != name {
			i--
		}
		if len(stack)-i > 1 {
			for _, n := range stack[i:] {
				out[n] = true
			}
		}
		for _, n := range stack[i:] {
			onStack[n] = false
		}
		stack = stack[:i]
	}
	for _, m := range a.Modules {
		if _, seen := index[m.Name()]; !seen {
			connect(m.Name())
		}
	}
	return out
}

// DependencyCycle returns a cycle through the module's declared
// dependencies within its application, starting and ending with the
// module's name, or nil.
func (m *Module) DependencyCycle() []string {
	if m.App == nil || !m.App.onCycle(m.Name()) {
		return nil // the walk would find none: it returns only a cycle through the module's name
	}
	return m.walkCycle()
}

// walkCycle walks the dependencies from the module's name, depth first in
// the order declared, and returns the first cycle it closes if that cycle
// starts with the name.
func (m *Module) walkCycle() []string {
	var path []string
	onPath := map[string]bool{}
	done := map[string]bool{}
	var visit func(name string) []string
	visit = func(name string) []string {
		if onPath[name] {
			i := slices.Index(path, name)
			return append(slices.Clone(path[i:]), name)
		}
		if done[name] {
			return nil
		}
		mod := m.App.ByName(name)
		if mod == nil {
			return nil
		}
		onPath[name] = true
		path = append(path, name)
		for _, d := range mod.Manifest.Dependencies {
			if c := visit(d); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		onPath[name] = false
		done[name] = true
		return nil
	}
	c := visit(m.Name())
	if len(c) == 0 || c[0] != m.Name() {
		return nil // a cycle elsewhere that this module only leads into
	}
	return c
}

// Declares reports whether the module may use module name: a declared
// dependency, a core module, or itself.
func (m *Module) Declares(name string) bool {
	return name == m.Name() || IsCore(name) || slices.Contains(m.Manifest.Dependencies, name)
}
