package analytics

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit"
	"github.com/modls/modls/framework"
)

func TestSettingsDefaults(t *testing.T) {
	m, _, _ := boot(t, framework.Config{})
	s := m.settings
	if s.RetentionDays != 90 || s.TopNames != 10 || s.MaxNameLength != 64 || !slices.Equal(s.Sources, []string{"web", "api", "worker"}) {
		t.Errorf("settings = %+v", *s)
	}
}

func TestSettingsEnvOverride(t *testing.T) {
	t.Setenv("APP_STANDARD_ANALYTICS_SOURCES", "cli, cron")
	t.Setenv("APP_STANDARD_ANALYTICS_TOP_NAMES", "1")
	m, _, _ := boot(t, framework.Config{Modules: map[string]json.RawMessage{
		"standard.analytics": json.RawMessage(`{"top_names": 5, "retention_days": 7}`),
	}})
	s := m.settings
	if s.TopNames != 1 || s.RetentionDays != 7 || !slices.Equal(s.Sources, []string{"cli", "cron"}) {
		t.Fatalf("settings = %+v", *s)
	}
	ctx := context.Background()
	if _, err := m.svc.Track(ctx, "a", "web"); code(err) != framework.CodeInvalidArgument {
		t.Errorf("source web after override: %v", err)
	}
	for _, name := range []string{"a", "b", "b"} {
		if _, err := m.svc.Track(ctx, name, "cron"); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := m.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Top) != 1 || sum.Top[0].Name != "b" {
		t.Errorf("top with top_names=1: %+v", sum.Top)
	}
}

func TestSettingsInvalid(t *testing.T) {
	for _, tt := range []struct{ config, want string }{
		{`{"retention_days": 0}`, "standard.analytics.retention_days: value must be at least 1"},
		{`{"sources": []}`, "standard.analytics.sources: length must be at least 1"},
		{`{"top_names": "ten"}`, "standard.analytics.top_names"},
	} {
		cfg := framework.Config{
			Database: filepath.Join(t.TempDir(), "app.db"),
			Modules:  map[string]json.RawMessage{"standard.analytics": json.RawMessage(tt.config)},
		}
		rt, err := framework.Boot(context.Background(), cfg, audit.New(), New())
		if err == nil {
			if cerr := rt.Close(context.Background()); cerr != nil {
				t.Error(cerr)
			}
			t.Fatalf("%s: boot succeeded", tt.config)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not mention %q", tt.config, err, tt.want)
		}
	}
}

func TestNeedsAudit(t *testing.T) {
	_, err := framework.Boot(context.Background(), framework.Config{Database: filepath.Join(t.TempDir(), "app.db")}, New())
	if err == nil || !strings.Contains(err.Error(), "depends on standard.audit") {
		t.Errorf("boot without audit: %v", err)
	}
}
