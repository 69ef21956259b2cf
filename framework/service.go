package framework

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
)

// ServiceMethod documents one public method of a registered service. The
// framework serves these at GET /api/v1/_framework/services; modls checks
// that they agree with the code.
type ServiceMethod struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Params      []Param `json:"params"`
	// Returns names the result types, e.g. "(audit.Run, error)".
	Returns string `json:"returns"`
	// Example is Go source that calls the method; it must type-check.
	Example string `json:"example,omitempty"`
}

// Param documents one parameter of a service method.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// ServiceInfo describes a registered service.
type ServiceInfo struct {
	Name    string          `json:"name"`
	Module  string          `json:"module"`
	Type    string          `json:"type"`
	Methods []ServiceMethod `json:"methods"`
}

type serviceEntry struct {
	info ServiceInfo
	impl any
}

type registry struct {
	mu       sync.RWMutex
	services map[string]*serviceEntry
	// frozen is the final map once every Setup has run; lookups read it
	// without locking.
	frozen atomic.Pointer[map[string]*serviceEntry]
}

func newRegistry() *registry { return &registry{services: map[string]*serviceEntry{}} }

func (r *registry) register(module, name string, impl any, methods []ServiceMethod) error {
	if err := checkServiceName(module, name); err != nil {
		return err
	}
	if impl == nil {
		return fmt.Errorf("%s: service %q: implementation is nil", module, name)
	}
	if len(methods) == 0 {
		return fmt.Errorf("%s: service %q is registered without ServiceMethod entries", module, name)
	}
	seen := map[string]bool{}
	for _, m := range methods {
		if m.Name == "" {
			return fmt.Errorf("%s: service %q: a ServiceMethod has no Name", module, name)
		}
		if seen[m.Name] {
			return fmt.Errorf("%s: service %q: method %s is documented twice", module, name, m.Name)
		}
		seen[m.Name] = true
		if _, ok := reflect.TypeOf(impl).MethodByName(m.Name); !ok {
			return fmt.Errorf("%s: service %q: ServiceMethod %s names no method of %T", module, name, m.Name, impl)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.frozen.Load() != nil {
		return fmt.Errorf("%s: service %q registered after Setup", module, name)
	}
	if prev, ok := r.services[name]; ok {
		return fmt.Errorf("%s: service %q is already registered by %s", module, name, prev.info.Module)
	}
	r.services[name] = &serviceEntry{
		info: ServiceInfo{Name: name, Module: module, Type: fmt.Sprintf("%T", impl), Methods: append([]ServiceMethod(nil), methods...)},
		impl: impl,
	}
	return nil
}

// freeze ends registration.
func (r *registry) freeze() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frozen.Store(&r.services)
}

func (r *registry) lookup(name string) (*serviceEntry, bool) {
	if f := r.frozen.Load(); f != nil {
		e, ok := (*f)[name]
		return e, ok
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.services[name]
	return e, ok
}

func (r *registry) list() []ServiceInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]ServiceInfo, 0, len(r.services))
	for _, e := range r.services {
		out = append(out, e.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Scope is what a service lookup is made from: the *App a module receives
// in Start. *Setup satisfies it too, so that a lookup during Setup compiles
// but is refused at run time with an error naming the module.
type Scope interface {
	scope() (*moduleState, phase)
}

// Service returns the service registered under name as a T. It fails if it
// is called during Setup, if no module provides the service, if the
// providing module is not a declared dependency of the caller, or if the
// service is not a T.
func Service[T any](from Scope, name string) (T, error) {
	var zero T
	if from == nil {
		return zero, fmt.Errorf("service %q: lookup from a nil scope", name)
	}
	m, ph := from.scope()
	if ph == phaseSetup {
		return zero, fmt.Errorf("%s: service %q looked up during Setup; look services up in Start", m.name, name)
	}
	e, ok := m.rt.registry.lookup(name)
	if !ok {
		return zero, fmt.Errorf("%s: no module provides service %q", m.name, name)
	}
	if e.info.Module != m.name && !m.dependsOn(e.info.Module) {
		return zero, fmt.Errorf("%s: service %q is provided by %s, which is not a declared dependency (add it to manifest.json \"dependencies\")", m.name, name, e.info.Module)
	}
	t, ok := e.impl.(T)
	if !ok {
		return zero, fmt.Errorf("%s: service %q is a %T, not a %s", m.name, name, e.impl, reflect.TypeFor[T]())
	}
	return t, nil
}
