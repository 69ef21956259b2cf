package notifications

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit"
	"github.com/modls/modls/framework"
)

func TestSettingsDefaults(t *testing.T) {
	m, _, _ := boot(t, framework.Config{})
	want := Settings{MaxAttempts: 5, DefaultChannel: "email", OpsRecipient: "ops@example.com", PageSize: 50}
	if *m.settings != want {
		t.Errorf("settings = %+v, want %+v", *m.settings, want)
	}
}

func TestSettingsEnvOverride(t *testing.T) {
	t.Setenv("APP_STANDARD_NOTIFICATIONS_DEFAULT_CHANNEL", "sms")
	t.Setenv("APP_STANDARD_NOTIFICATIONS_OPS_RECIPIENT", "+15550100")
	m, _, _ := boot(t, framework.Config{Modules: map[string]json.RawMessage{
		"standard.notifications": json.RawMessage(`{"default_channel": "webhook", "max_attempts": 1}`),
	}})
	want := Settings{MaxAttempts: 1, DefaultChannel: "sms", OpsRecipient: "+15550100", PageSize: 50}
	if *m.settings != want {
		t.Fatalf("settings = %+v, want %+v", *m.settings, want)
	}
	ctx := context.Background()
	n, err := m.svc.Enqueue(ctx, "", "+15550199", "hi", "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Channel != "sms" {
		t.Errorf("channel = %q, want the default sms", n.Channel)
	}
	// With max_attempts 1 the first failure is final.
	if n, err = m.svc.RecordAttempt(ctx, n.ID, false, "no signal"); err != nil || n.Status != "failed" {
		t.Errorf("after one failure: %+v, %v", n, err)
	}
}

func TestSettingsInvalid(t *testing.T) {
	for _, tt := range []struct{ config, want string }{
		{`{"default_channel": "fax"}`, "standard.notifications.default_channel: must be one of email, sms, webhook"},
		{`{"ops_recipient": ""}`, "standard.notifications.ops_recipient: is required"},
		{`{"max_attempts": 51}`, "standard.notifications.max_attempts: value must be at most 50"},
	} {
		cfg := framework.Config{
			Database: filepath.Join(t.TempDir(), "app.db"),
			Modules:  map[string]json.RawMessage{"standard.notifications": json.RawMessage(tt.config)},
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
