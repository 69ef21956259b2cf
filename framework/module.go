package framework

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
)

// Module is one unit of an application. Manifest returns the module's
// manifest.json (embed it with //go:embed). Setup declares what the module
// offers; Start uses what others offer.
type Module interface {
	Manifest() []byte
	Setup(*Setup) error
	Start(context.Context, *App) error
}

// Stopper is implemented by modules that release resources on shutdown.
// Stop is called in reverse start order.
type Stopper interface {
	Stop(context.Context) error
}

type phase int

const (
	phaseSetup phase = iota + 1
	phaseStart
	phaseRunning
)

func (p phase) String() string {
	switch p {
	case phaseSetup:
		return "Setup"
	case phaseStart:
		return "Start"
	}
	return "running"
}

// moduleState is the framework's view of one module.
type moduleState struct {
	name     string
	manifest Manifest
	module   Module
	rt       *Runtime
	settings any
	migrate  []string
	routes   []Route
	services []string
	deps     map[string]bool // declared dependencies plus the core modules

	phase atomic.Int32 // a phase; read on every service lookup
}

func (m *moduleState) dependsOn(module string) bool { return m.deps[module] }

func (m *moduleState) currentPhase() phase { return phase(m.phase.Load()) }

func (m *moduleState) setPhase(p phase) { m.phase.Store(int32(p)) }

// Setup is what a module sees in phase 1. It declares and never uses.
type Setup struct{ m *moduleState }

func (s *Setup) scope() (*moduleState, phase) { return s.m, s.m.currentPhase() }

// Module returns the name of the module being set up.
func (s *Setup) Module() string { return s.m.name }

func (s *Setup) active(what string) error {
	if p := s.m.currentPhase(); p != phaseSetup {
		return fmt.Errorf("%s: %s called during %s; declarations belong in Setup", s.m.name, what, p)
	}
	return nil
}

// RegisterService registers impl under name ("<module short name>.<name>")
// with the documentation of its public methods.
func (s *Setup) RegisterService(name string, impl any, methods ...ServiceMethod) error {
	if err := s.active("RegisterService"); err != nil {
		return err
	}
	if err := s.m.rt.registry.register(s.m.name, name, impl, methods); err != nil {
		return err
	}
	s.m.services = append(s.m.services, name)
	return nil
}

// Migrate declares the module's schema, one statement per migration, in
// order. Migrations already applied are skipped; a new statement appended
// later is applied at the next start.
func (s *Setup) Migrate(stmts ...string) error {
	if err := s.active("Migrate"); err != nil {
		return err
	}
	s.m.migrate = append(s.m.migrate, stmts...)
	return nil
}

// Handle declares routes, mounted at /api/v1/<module short name>/<path>.
func (s *Setup) Handle(routes ...Route) error {
	if err := s.active("Handle"); err != nil {
		return err
	}
	for _, r := range routes {
		if err := s.m.rt.router.add(s.m.name, r); err != nil {
			return err
		}
		s.m.routes = append(s.m.routes, r)
	}
	return nil
}

// App is what a module sees in phase 2 and afterwards.
type App struct{ m *moduleState }

func (a *App) scope() (*moduleState, phase) { return a.m, a.m.currentPhase() }

// Module returns the name of the module this App belongs to.
func (a *App) Module() string { return a.m.name }

// DB returns the module's handle on the application database.
func (a *App) DB() *DB { return &DB{d: a.m.rt.db, module: a.m.name} }

// Logger returns a logger that names the module.
func (a *App) Logger() *slog.Logger { return a.m.rt.cfg.Logger.With("module", a.m.name) }

// Database returns the module's handle on the application database.
//
// Deprecated: Use DB, which every module and the documentation use; Database
// will be removed in the next major version.
func (a *App) Database() *DB { return a.DB() }
