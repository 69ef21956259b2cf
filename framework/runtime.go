package framework

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// Runtime is a booted application: every module set up and started.
type Runtime struct {
	cfg      Config
	modules  []*moduleState // dependency order
	byName   map[string]*moduleState
	registry *registry
	router   *router
	db       *database
	started  []*moduleState
}

// ModuleError is a failure of one module during start-up.
type ModuleError struct {
	Module string
	Phase  string
	Err    error
}

func (e *ModuleError) Error() string {
	msg := e.Err.Error()
	if strings.HasPrefix(msg, e.Module+": ") {
		return msg + " (in " + e.Phase + ")"
	}
	return e.Module + ": " + e.Phase + ": " + msg
}

func (e *ModuleError) Unwrap() error { return e.Err }

// Boot sets up and starts an application without serving it: every Setup
// runs, in dependency order, before any Start. The database is opened only
// once every Setup has succeeded, so invalid settings leave no file behind.
// Close releases it.
func Boot(ctx context.Context, cfg Config, modules ...Module) (*Runtime, error) {
	cfg = cfg.withDefaults()
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("config: max_body_bytes must not be negative")
	}
	rt := &Runtime{
		cfg:      cfg,
		byName:   map[string]*moduleState{},
		registry: newRegistry(),
		router:   newRouter(cfg.MaxBodyBytes, cfg.Logger),
	}
	all := append(coreModules(), modules...)
	var states []*moduleState
	for i, mod := range all {
		if mod == nil {
			return nil, fmt.Errorf("module %d of the list is nil", i-len(CoreModules)+1)
		}
		man, err := ParseManifest(mod.Manifest())
		if err != nil {
			return nil, fmt.Errorf("%T: %w", mod, err)
		}
		if i >= len(CoreModules) && strings.HasPrefix(man.Name, "core.") {
			return nil, fmt.Errorf("%s: the core. prefix is reserved for the framework's own modules", man.Name)
		}
		if _, dup := rt.byName[man.Name]; dup {
			return nil, fmt.Errorf("%s is listed twice", man.Name)
		}
		st := &moduleState{name: man.Name, manifest: man, module: mod, rt: rt, deps: map[string]bool{}}
		for _, c := range CoreModules {
			st.deps[c] = true
		}
		for _, d := range man.Dependencies {
			st.deps[d] = true
		}
		rt.byName[man.Name] = st
		states = append(states, st)
	}
	order, err := dependencyOrder(states, rt.byName)
	if err != nil {
		return nil, err
	}
	rt.modules = order
	for _, name := range sortedKeys(cfg.Modules) {
		if _, ok := rt.byName[name]; !ok {
			return nil, fmt.Errorf("config: settings given for %s, which is not in the application", name)
		}
	}
	if err := rt.setup(); err != nil {
		return nil, err
	}
	rt.mountFramework()
	db, err := openDatabase(cfg.Database)
	if err != nil {
		return nil, err
	}
	rt.db = db
	if err := rt.start(ctx); err != nil {
		rt.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return rt, nil
}

// dependencyOrder sorts modules so that each comes after its dependencies,
// keeping the listed order otherwise, and names the chain of a missing or
// cyclic dependency.
func dependencyOrder(states []*moduleState, byName map[string]*moduleState) ([]*moduleState, error) {
	const (
		unvisited = iota
		visiting
		done
	)
	mark := map[string]int{}
	var order []*moduleState
	var visit func(st *moduleState, chain []string) error
	visit = func(st *moduleState, chain []string) error {
		chain = append(chain, st.name)
		switch mark[st.name] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("dependency cycle: %s", strings.Join(chain, " → "))
		}
		mark[st.name] = visiting
		for _, d := range st.manifest.Dependencies {
			dep, ok := byName[d]
			if !ok {
				return fmt.Errorf("%s depends on %s, which is not in the application (dependency chain: %s)",
					st.name, d, strings.Join(append(slices.Clone(chain), d), " → "))
			}
			if err := visit(dep, chain); err != nil {
				return err
			}
		}
		mark[st.name] = done
		order = append(order, st)
		return nil
	}
	for _, st := range states {
		if err := visit(st, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func (rt *Runtime) setup() error {
	for _, m := range rt.modules {
		m.setPhase(phaseSetup)
	}
	for _, m := range rt.modules {
		if err := guard(func() error { return m.module.Setup(&Setup{m: m}) }); err != nil {
			return &ModuleError{Module: m.name, Phase: "Setup", Err: err}
		}
		if err := m.checkDeclared(); err != nil {
			return &ModuleError{Module: m.name, Phase: "Setup", Err: err}
		}
	}
	for _, name := range sortedKeys(rt.cfg.Modules) {
		if rt.byName[name].settings == nil {
			return fmt.Errorf("config: settings given for %s, which declares no settings", name)
		}
	}
	rt.registry.freeze()
	for _, m := range rt.modules {
		m.setPhase(phaseStart)
	}
	return nil
}

// checkDeclared compares what Setup registered with the manifest.
func (m *moduleState) checkDeclared() error {
	for _, s := range m.services {
		if !slices.Contains(m.manifest.Services, s) {
			return fmt.Errorf("%s: registers service %q, which manifest.json does not list in \"services\"", m.name, s)
		}
	}
	for _, s := range m.manifest.Services {
		if !slices.Contains(m.services, s) {
			return fmt.Errorf("%s: manifest.json lists service %q, which Setup does not register", m.name, s)
		}
	}
	return nil
}

func (rt *Runtime) start(ctx context.Context) error {
	for _, m := range rt.modules {
		if err := rt.db.migrate(ctx, m.name, m.migrate); err != nil {
			return &ModuleError{Module: m.name, Phase: "Migrate", Err: err}
		}
	}
	for _, m := range rt.modules {
		err := guard(func() error { return m.module.Start(ctx, &App{m: m}) })
		m.setPhase(phaseRunning)
		if err != nil {
			return &ModuleError{Module: m.name, Phase: "Start", Err: err}
		}
		rt.started = append(rt.started, m)
	}
	return nil
}

// guard turns a panic into an error so that one module cannot crash start-up
// without being named.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn()
}

// Handler serves the application's HTTP API.
func (rt *Runtime) Handler() http.Handler { return rt.router }

// Services lists every registered service with its method documentation.
func (rt *Runtime) Services() []ServiceInfo { return rt.registry.list() }

// ModuleInfo describes a module of a running application.
type ModuleInfo struct {
	Name     string      `json:"name"`
	Manifest Manifest    `json:"manifest"`
	Routes   []RouteInfo `json:"routes"`
}

// RouteInfo describes one mounted route.
type RouteInfo struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Response string `json:"response"`
}

// Modules lists the application's modules in start order.
func (rt *Runtime) Modules() []ModuleInfo {
	out := make([]ModuleInfo, 0, len(rt.modules))
	for _, m := range rt.modules {
		info := ModuleInfo{Name: m.name, Manifest: m.manifest, Routes: []RouteInfo{}}
		for _, r := range m.routes {
			info.Routes = append(info.Routes, RouteInfo{Method: r.Method, Path: MountPath(m.name, r.Path), Response: r.Response.String()})
		}
		out = append(out, info)
	}
	return out
}

// Routes returns the routes a module declared, as declared.
func (rt *Runtime) Routes(module string) []Route {
	if m, ok := rt.byName[module]; ok {
		return slices.Clone(m.routes)
	}
	return nil
}

// App returns the phase-2 handle of a module, for tests and harnesses that
// act as the module would.
func (rt *Runtime) App(module string) (*App, error) {
	m, ok := rt.byName[module]
	if !ok {
		return nil, fmt.Errorf("no module %s in the application", module)
	}
	return &App{m: m}, nil
}

func (rt *Runtime) mountFramework() {
	rt.router.mux.HandleFunc("GET /api/v1/_framework/services", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"services": rt.Services()})
	})
	rt.router.mux.HandleFunc("GET /api/v1/_framework/modules", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"modules": rt.Modules()})
	})
}

// Close stops the started modules in reverse order and closes the database.
func (rt *Runtime) Close(ctx context.Context) error {
	var errs []error
	for i := len(rt.started) - 1; i >= 0; i-- {
		m := rt.started[i]
		if s, ok := m.module.(Stopper); ok {
			if err := guard(func() error { return s.Stop(ctx) }); err != nil {
				errs = append(errs, &ModuleError{Module: m.name, Phase: "Stop", Err: err})
			}
		}
	}
	rt.started = nil
	if rt.db != nil {
		if err := rt.db.sql.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the database: %w", err))
		}
		rt.db = nil
	}
	return errors.Join(errs...)
}

// Run boots the application and serves it until ctx is done, then shuts
// down gracefully: in-flight requests finish, modules stop, the database is
// closed. The listen address is taken first, so a port in use fails before
// anything is created.
func Run(ctx context.Context, cfg Config, modules ...Module) error {
	cfg = cfg.withDefaults()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	rt, err := Boot(ctx, cfg, modules...)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: rt.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	cfg.Logger.Info("serving", "addr", ln.Addr().String(), "modules", len(rt.modules))
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr())
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		serveErr = errors.Join(serveErr, fmt.Errorf("shutdown: %w", err))
	}
	if err := rt.Close(shutdownCtx); err != nil {
		serveErr = errors.Join(serveErr, err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	cfg.Logger.Info("stopped")
	return serveErr
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
