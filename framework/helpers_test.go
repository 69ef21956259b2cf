package framework_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modls/modls/framework"
)

// mod is a module assembled from functions, so that each test states only
// the behaviour it needs.
type mod struct {
	name     string
	deps     []string
	services []string
	features []string
	setup    func(s *framework.Setup) error
	start    func(ctx context.Context, app *framework.App) error
}

func (m *mod) Manifest() []byte {
	man := framework.Manifest{
		Name:         m.name,
		Version:      "1.0.0",
		Description:  "a test module",
		Features:     orEmpty(m.features),
		Dependencies: orEmpty(m.deps),
		Services:     orEmpty(m.services),
	}
	b, err := json.Marshal(man)
	if err != nil {
		panic(err)
	}
	return b
}

func (m *mod) Setup(s *framework.Setup) error {
	if m.setup == nil {
		return nil
	}
	return m.setup(s)
}

func (m *mod) Start(ctx context.Context, app *framework.App) error {
	if m.start == nil {
		return nil
	}
	return m.start(ctx, app)
}

// stoppingMod is a mod that also implements framework.Stopper.
type stoppingMod struct {
	*mod
	stop func(ctx context.Context) error
}

func (m *stoppingMod) Stop(ctx context.Context) error { return m.stop(ctx) }

// rawMod is a module whose manifest is given verbatim.
type rawMod struct{ manifest string }

func (m rawMod) Manifest() []byte                          { return []byte(m.manifest) }
func (rawMod) Setup(*framework.Setup) error                { return nil }
func (rawMod) Start(context.Context, *framework.App) error { return nil }

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// recorder collects events from several modules in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testConfig is a config with a fresh database file and a quiet logger.
func testConfig(t testing.TB) framework.Config {
	t.Helper()
	return framework.Config{
		Addr:     "127.0.0.1:0",
		Database: filepath.Join(t.TempDir(), "app.db"),
		Logger:   quietLogger(),
	}
}

// boot boots the modules and closes the runtime when the test ends.
func boot(t testing.TB, cfg framework.Config, modules ...framework.Module) *framework.Runtime {
	t.Helper()
	rt, err := framework.Boot(context.Background(), cfg, modules...)
	if err != nil {
		t.Fatalf("Boot: %v", err)
	}
	t.Cleanup(func() {
		if err := rt.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return rt
}

// bootErr boots the modules and returns the error, which the test expects.
func bootErr(t testing.TB, cfg framework.Config, modules ...framework.Module) error {
	t.Helper()
	rt, err := framework.Boot(context.Background(), cfg, modules...)
	if err == nil {
		rt.Close(context.Background())
		t.Fatal("Boot succeeded; want an error")
	}
	return err
}

// wantErr fails unless err is non-nil and its message contains every part.
func wantErr(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error; want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// wantModuleError fails unless err is a *framework.ModuleError for module
// in phase.
func wantModuleError(t testing.TB, err error, module, phase string) *framework.ModuleError {
	t.Helper()
	var me *framework.ModuleError
	if !errors.As(err, &me) {
		t.Fatalf("got %T %v; want a *framework.ModuleError", err, err)
	}
	if me.Module != module || me.Phase != phase {
		t.Errorf("got ModuleError{Module: %q, Phase: %q}; want {%q, %q}", me.Module, me.Phase, module, phase)
	}
	if !strings.Contains(me.Error(), module) {
		t.Errorf("error %q does not name %s", me, module)
	}
	return me
}

// appOf returns the *App of a module of a booted runtime.
func appOf(t testing.TB, rt *framework.Runtime, module string) *framework.App {
	t.Helper()
	app, err := rt.App(module)
	if err != nil {
		t.Fatalf("App(%q): %v", module, err)
	}
	return app
}
