package audit

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

func TestSettingsDefaults(t *testing.T) {
	m, _ := boot(t, framework.Config{})
	want := Settings{MaxAttempts: 3, PageSize: 50, MaxTargetLength: 200}
	if *m.settings != want {
		t.Errorf("settings = %+v, want %+v", *m.settings, want)
	}
}

func TestSettingsFromEnvAndConfig(t *testing.T) {
	t.Setenv("APP_STANDARD_AUDIT_MAX_ATTEMPTS", "1")
	cfg := framework.Config{Modules: map[string]json.RawMessage{
		"standard.audit": json.RawMessage(`{"max_attempts": 5, "page_size": 2}`),
	}}
	m, _ := boot(t, cfg)
	// The environment wins over the config file.
	if m.settings.MaxAttempts != 1 || m.settings.PageSize != 2 {
		t.Fatalf("settings = %+v", *m.settings)
	}
	ctx := context.Background()
	run, err := m.svc.CreateRun(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []contract.Status{contract.StatusRunning, contract.StatusFailed} {
		if _, err := m.svc.Transition(ctx, run.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.svc.Transition(ctx, run.ID, contract.StatusRunning, ""); code(err) != contract.CodeAttemptsExhausted {
		t.Errorf("retry with max_attempts=1: %v", err)
	}
	for range 3 {
		if _, err := m.svc.CreateRun(ctx, "y"); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := m.svc.ListRuns(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Errorf("a list without limit gave %d runs, want page_size 2", len(runs))
	}
}

func TestSettingsInvalid(t *testing.T) {
	tests := []struct {
		env, config, want string
	}{
		{"0", "", "standard.audit.max_attempts: value must be at least 1, got 0"},
		{"three", "", "APP_STANDARD_AUDIT_MAX_ATTEMPTS"},
		{"", `{"page_size": 5000}`, "standard.audit.page_size: value must be at most 1000"},
		{"", `{"retries": 2}`, `unknown setting "retries"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Setenv("APP_STANDARD_AUDIT_MAX_ATTEMPTS", tt.env)
			cfg := framework.Config{Database: filepath.Join(t.TempDir(), "app.db")}
			if tt.config != "" {
				cfg.Modules = map[string]json.RawMessage{"standard.audit": json.RawMessage(tt.config)}
			}
			rt, err := framework.Boot(context.Background(), cfg, New())
			if err == nil {
				if cerr := rt.Close(context.Background()); cerr != nil {
					t.Error(cerr)
				}
				t.Fatal("boot succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}
