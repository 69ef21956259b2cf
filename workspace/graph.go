package workspace

import "slices"

// DependencyCycle returns a cycle through the module's declared
// dependencies within its application, starting and ending with the
// module's name, or nil.
func (m *Module) DependencyCycle() []string {
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
