package analytics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/examples/app/modules/standard/analytics/contract"
	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

func TestTrackAndRecent(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	for _, name := range []string{"signup.completed", "page.view", "page.view"} {
		if _, err := m.svc.Track(ctx, name, "web"); err != nil {
			t.Fatal(err)
		}
	}
	e, err := m.svc.Track(ctx, "job.done", "worker")
	if err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.Name != "job.done" || e.Source != "worker" || e.OccurredAt.IsZero() {
		t.Errorf("event = %+v", e)
	}
	recent, err := m.svc.Recent(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0] != e {
		t.Errorf("recent = %+v, want the newest first: %+v", recent, e)
	}
	for _, limit := range []int{0, 1001} {
		if _, err := m.svc.Recent(ctx, limit); code(err) != framework.CodeInvalidArgument {
			t.Errorf("Recent(%d): %v", limit, err)
		}
	}
}

func TestTrackValidates(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	tests := []struct{ name, source, want string }{
		{"", "web", "required"},
		{"Page View", "web", "lowercase"},
		{strings.Repeat("a", 65), "web", "max_name_length"},
		{"page.view", "cli", "sources setting"},
	}
	for _, tt := range tests {
		_, err := m.svc.Track(ctx, tt.name, tt.source)
		if code(err) != framework.CodeInvalidArgument || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Track(%q, %q): %v, want invalid_argument mentioning %q", tt.name, tt.source, err, tt.want)
		}
	}
}

// TestSummaryCallsAuditThroughContract drives standard.audit through the
// contract this module looks up, and checks that the summary reflects it.
func TestSummaryCallsAuditThroughContract(t *testing.T) {
	ctx := context.Background()
	m, _, auditor := boot(t, framework.Config{})
	for range 3 {
		if _, err := m.svc.Track(ctx, "page.view", "web"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.svc.Track(ctx, "signup.completed", "api"); err != nil {
		t.Fatal(err)
	}
	sum, err := m.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Events != 4 || sum.AuditRuns.Total != 0 || sum.EventsPerRun != 0 || sum.RunFailureRate != 0 {
		t.Errorf("summary without runs = %+v", sum)
	}
	want := []contract.NameCount{{Name: "page.view", Count: 3}, {Name: "signup.completed", Count: 1}}
	if len(sum.Top) != 2 || sum.Top[0] != want[0] || sum.Top[1] != want[1] {
		t.Errorf("top = %+v, want %+v", sum.Top, want)
	}

	for i, final := range []auditcontract.Status{auditcontract.StatusCompleted, auditcontract.StatusFailed} {
		run, err := auditor.CreateRun(ctx, "target")
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []auditcontract.Status{auditcontract.StatusRunning, final} {
			if _, err := auditor.Transition(ctx, run.ID, to, ""); err != nil {
				t.Fatalf("run %d → %s: %v", i, to, err)
			}
		}
	}
	sum, err = m.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.AuditRuns.Total != 2 || sum.AuditRuns.Failed != 1 || sum.AuditRuns.Completed != 1 {
		t.Errorf("audit runs = %+v", sum.AuditRuns)
	}
	if sum.RunFailureRate != 0.5 || sum.EventsPerRun != 2 {
		t.Errorf("rates = %v failure, %v events per run", sum.RunFailureRate, sum.EventsPerRun)
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	m, _, _ := boot(t, framework.Config{})
	now := time.Now()
	m.svc.now = func() time.Time { return now.AddDate(0, 0, -91) }
	if _, err := m.svc.Track(ctx, "old", "web"); err != nil {
		t.Fatal(err)
	}
	m.svc.now = func() time.Time { return now.AddDate(0, 0, -89) }
	if _, err := m.svc.Track(ctx, "recent", "web"); err != nil {
		t.Fatal(err)
	}
	m.svc.now = func() time.Time { return now }
	deleted, err := m.svc.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if deleted != 1 {
		t.Errorf("deleted %d events, want 1 (retention 90 days)", deleted)
	}
	left, err := m.svc.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Name != "recent" {
		t.Errorf("left = %+v", left)
	}
}

func TestServiceRegistered(t *testing.T) {
	ctx := context.Background()
	_, rt, _ := boot(t, framework.Config{})
	app, err := rt.App("standard.analytics")
	if err != nil {
		t.Fatal(err)
	}
	tracker, err := framework.Service[contract.Tracker](app, "analytics.service")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tracker.Track(ctx, "via.contract", "api"); err != nil {
		t.Fatal(err)
	}
}
