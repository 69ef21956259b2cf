package framework_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/modls/modls/framework"
)

// recordingMods returns modules that record "<phase> <name>" in rec.
func recordingMod(rec *recorder, name string, deps ...string) *mod {
	return &mod{
		name: name,
		deps: deps,
		setup: func(s *framework.Setup) error {
			rec.add("setup " + s.Module())
			return nil
		},
		start: func(ctx context.Context, app *framework.App) error {
			rec.add("start " + app.Module())
			return nil
		},
	}
}

func TestEverySetupRunsBeforeAnyStart(t *testing.T) {
	rec := &recorder{}
	boot(t, testConfig(t),
		recordingMod(rec, "test.alpha"),
		recordingMod(rec, "test.beta"),
		recordingMod(rec, "test.gamma"),
	)
	got := rec.get()
	want := []string{
		"setup test.alpha", "setup test.beta", "setup test.gamma",
		"start test.alpha", "start test.beta", "start test.gamma",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got order %q; want %q", got, want)
	}
}

func TestOrderFollowsDependencies(t *testing.T) {
	rec := &recorder{}
	rt := boot(t, testConfig(t),
		recordingMod(rec, "test.top", "test.middle"),
		recordingMod(rec, "test.middle", "test.base"),
		recordingMod(rec, "test.base"),
		recordingMod(rec, "test.loner"),
	)
	got := rec.get()
	want := []string{
		"setup test.base", "setup test.middle", "setup test.top", "setup test.loner",
		"start test.base", "start test.middle", "start test.top", "start test.loner",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got order %q; want %q", got, want)
	}
	var names []string
	for _, m := range rt.Modules() {
		names = append(names, m.Name)
	}
	wantNames := append(slices.Clone(framework.CoreModules), "test.base", "test.middle", "test.top", "test.loner")
	if !slices.Equal(names, wantNames) {
		t.Errorf("Modules() order %q; want %q", names, wantNames)
	}
}

func TestSetupFailureStopsStartUp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*framework.Setup) error
		want  string
	}{
		{"error", func(*framework.Setup) error { return errors.New("no disk") }, "no disk"},
		{"panic", func(*framework.Setup) error { panic("boom") }, "panic: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			cfg := testConfig(t)
			bad := recordingMod(rec, "test.bad")
			bad.setup = tc.setup
			err := bootErr(t, cfg, recordingMod(rec, "test.good"), bad, recordingMod(rec, "test.after"))
			wantModuleError(t, err, "test.bad", "Setup")
			wantErr(t, err, tc.want)
			if got, want := rec.get(), []string{"setup test.good"}; !slices.Equal(got, want) {
				t.Errorf("got events %q; want %q", got, want)
			}
			if _, statErr := os.Stat(cfg.Database); !os.IsNotExist(statErr) {
				t.Errorf("database file exists after a failed Setup (stat: %v)", statErr)
			}
		})
	}
}

func TestStartFailureStopsStartUpAndStopsStartedModules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(context.Context, *framework.App) error
		want  string
	}{
		{"error", func(context.Context, *framework.App) error { return errors.New("no peer") }, "no peer"},
		{"panic", func(context.Context, *framework.App) error { panic(fmt.Sprintf("boom %d", 7)) }, "panic: boom 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			first := &stoppingMod{mod: recordingMod(rec, "test.first"), stop: func(context.Context) error {
				rec.add("stop test.first")
				return nil
			}}
			bad := recordingMod(rec, "test.bad")
			bad.start = tc.start
			err := bootErr(t, testConfig(t), first, bad, recordingMod(rec, "test.after"))
			wantModuleError(t, err, "test.bad", "Start")
			wantErr(t, err, tc.want)
			want := []string{
				"setup test.first", "setup test.bad", "setup test.after",
				"start test.first", "stop test.first",
			}
			if got := rec.get(); !slices.Equal(got, want) {
				t.Errorf("got events %q; want %q", got, want)
			}
		})
	}
}

func TestDeclarationsDuringStartAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		declare func(s *framework.Setup) error
		want    string
	}{
		{"RegisterService", func(s *framework.Setup) error {
			return s.RegisterService("late.service", &counter{}, framework.ServiceMethod{Name: "Add"})
		}, "RegisterService called during Start"},
		{"Migrate", func(s *framework.Setup) error {
			return s.Migrate(`CREATE TABLE late_x (id INTEGER)`)
		}, "Migrate called during Start"},
		{"Handle", func(s *framework.Setup) error {
			return s.Handle(framework.GET("/x", func(context.Context, *framework.Request) (string, error) { return "", nil }))
		}, "Handle called during Start"},
		{"Settings", func(s *framework.Setup) error {
			_, err := framework.Settings[struct{}](s)
			return err
		}, "Settings called during Start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var kept *framework.Setup
			var startErr error
			m := &mod{
				name:  "test.late",
				setup: func(s *framework.Setup) error { kept = s; return nil },
				start: func(ctx context.Context, app *framework.App) error {
					startErr = tc.declare(kept)
					return nil
				},
			}
			boot(t, testConfig(t), m)
			wantErr(t, startErr, "test.late", tc.want, "declarations belong in Setup")
		})
	}
}

func TestDeclarationsAfterStartAreRefused(t *testing.T) {
	var kept *framework.Setup
	m := &mod{name: "test.late", setup: func(s *framework.Setup) error { kept = s; return nil }}
	boot(t, testConfig(t), m)
	err := kept.Migrate(`CREATE TABLE late_x (id INTEGER)`)
	wantErr(t, err, "test.late: Migrate called during running")
}

func TestServiceLookupDuringSetupIsRefused(t *testing.T) {
	var lookupErr error
	m := &mod{
		name: "test.early",
		setup: func(s *framework.Setup) error {
			_, lookupErr = framework.Service[*framework.DatabaseService](s, "database.service")
			return nil
		},
	}
	boot(t, testConfig(t), m)
	wantErr(t, lookupErr, "test.early", `"database.service"`, "looked up during Setup", "look services up in Start")
}

func TestMissingDependencyNamesTheChain(t *testing.T) {
	err := bootErr(t, testConfig(t),
		&mod{name: "test.a", deps: []string{"test.b"}},
		&mod{name: "test.b", deps: []string{"test.ghost"}},
	)
	wantErr(t, err, "test.b depends on test.ghost, which is not in the application", "test.a → test.b → test.ghost")
}

func TestDependencyCycleNamesTheChain(t *testing.T) {
	err := bootErr(t, testConfig(t),
		&mod{name: "test.a", deps: []string{"test.b"}},
		&mod{name: "test.b", deps: []string{"test.c"}},
		&mod{name: "test.c", deps: []string{"test.a"}},
	)
	wantErr(t, err, "dependency cycle: test.a → test.b → test.c → test.a")
}

func TestBootRefusesBadModuleLists(t *testing.T) {
	for _, tc := range []struct {
		name    string
		modules []framework.Module
		want    string
	}{
		{"nil module", []framework.Module{&mod{name: "test.a"}, nil}, "module 2 of the list is nil"},
		{"listed twice", []framework.Module{&mod{name: "test.a"}, &mod{name: "test.a"}}, "test.a is listed twice"},
		{"core prefix", []framework.Module{&mod{name: "core.mine"}}, "core.mine: the core. prefix is reserved"},
		{"bad manifest", []framework.Module{rawMod{`{"name": "nodot", "version": "1.0.0"}`}}, `name "nodot" is not of the form`},
		{"unparsable manifest", []framework.Module{rawMod{`{`}}, "manifest.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, bootErr(t, testConfig(t), tc.modules...), tc.want)
		})
	}
}

func TestModuleErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  *framework.ModuleError
		want string
	}{
		{&framework.ModuleError{Module: "test.a", Phase: "Start", Err: errors.New("no peer")}, "test.a: Start: no peer"},
		{&framework.ModuleError{Module: "test.a", Phase: "Setup", Err: errors.New("test.a: bad service")}, "test.a: bad service (in Setup)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q; want %q", got, tc.want)
		}
	}
	cause := errors.New("cause")
	if err := (&framework.ModuleError{Module: "test.a", Phase: "Start", Err: cause}); !errors.Is(err, cause) {
		t.Errorf("errors.Is(ModuleError, cause) = false; want true")
	}
}

func TestAppAccessors(t *testing.T) {
	var app *framework.App
	m := &mod{name: "test.acc", start: func(ctx context.Context, a *framework.App) error { app = a; return nil }}
	rt := boot(t, testConfig(t), m)
	if got := app.Module(); got != "test.acc" {
		t.Errorf("App.Module() = %q; want test.acc", got)
	}
	if app.Logger() == nil {
		t.Error("App.Logger() = nil")
	}
	if _, err := rt.App("test.ghost"); err == nil || !strings.Contains(err.Error(), "no module test.ghost") {
		t.Errorf("App(test.ghost) error = %v; want one naming the missing module", err)
	}
	if got := rt.Routes("test.ghost"); got != nil {
		t.Errorf("Routes(test.ghost) = %v; want nil", got)
	}
}

func TestCloseStopsModulesInReverseOrder(t *testing.T) {
	rec := &recorder{}
	stopper := func(name string, err error) *stoppingMod {
		return &stoppingMod{mod: &mod{name: name}, stop: func(context.Context) error {
			rec.add("stop " + name)
			return err
		}}
	}
	rt, err := framework.Boot(context.Background(), testConfig(t),
		stopper("test.one", nil),
		stopper("test.two", errors.New("flush failed")),
		&mod{name: "test.plain"},
		stopper("test.three", nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = rt.Close(context.Background())
	wantModuleError(t, err, "test.two", "Stop")
	wantErr(t, err, "flush failed")
	want := []string{"stop test.three", "stop test.two", "stop test.one"}
	if got := rec.get(); !slices.Equal(got, want) {
		t.Errorf("got stop order %q; want %q", got, want)
	}
	if err := rt.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v; want nil", err)
	}
	if got := rec.get(); len(got) != 3 {
		t.Errorf("second Close stopped modules again: %q", got)
	}
}

func TestStopPanicBecomesError(t *testing.T) {
	m := &stoppingMod{mod: &mod{name: "test.panicky"}, stop: func(context.Context) error { panic("stuck") }}
	rt, err := framework.Boot(context.Background(), testConfig(t), m)
	if err != nil {
		t.Fatal(err)
	}
	err = rt.Close(context.Background())
	wantModuleError(t, err, "test.panicky", "Stop")
	wantErr(t, err, "panic: stuck")
}

func TestDeprecatedDatabaseIsDB(t *testing.T) {
	var got, want *framework.DB
	m := &mod{name: "standard.old", start: func(ctx context.Context, app *framework.App) error {
		got, want = app.Database(), app.DB()
		return nil
	}}
	boot(t, testConfig(t), m)
	if got == nil || want == nil || *got != *want {
		t.Errorf("Database() = %v, DB() = %v", got, want)
	}
}
