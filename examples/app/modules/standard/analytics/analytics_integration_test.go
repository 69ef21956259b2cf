//go:build integration

// The integration tests run in the sandbox (modls sandbox --module
// standard.analytics, or the "run integration (sandbox)" code lens): this
// module and standard.audit, its dependency, with the framework's core
// modules, in a copy of the application. Plain go test leaves them out.

package analytics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	audit "github.com/modls/modls/examples/app/modules/standard/audit"
	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// TestSummaryOverHTTPCountsAuditRuns drives standard.audit through the
// contract this module depends on, records events over this module's HTTP
// API, and checks that the summary agrees with audit's own status endpoint
// and that every event was written in a committed integrity session.
func TestSummaryOverHTTPCountsAuditRuns(t *testing.T) {
	ctx := context.Background()
	_, rt, auditor := boot(t, framework.Config{})
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	for target, path := range map[string][]auditcontract.Status{
		"billing": {auditcontract.StatusRunning, auditcontract.StatusCompleted},
		"search":  {auditcontract.StatusRunning, auditcontract.StatusFailed},
		"mailer":  nil,
	} {
		run, err := auditor.CreateRun(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range path {
			if run, err = auditor.Transition(ctx, run.ID, to, ""); err != nil {
				t.Fatalf("%s to %s: %v", target, to, err)
			}
		}
	}
	for _, ev := range []TrackRequest{{"page.view", "web"}, {"page.view", "web"}, {"signup.completed", "api"}, {"export.done", "worker"}} {
		var got EventResponse
		if code := call(t, srv, "POST", "/api/v1/analytics/events", ev, &got); code != http.StatusOK || got.Event.Name != ev.Name {
			t.Fatalf("POST /events %+v: %d %+v", ev, code, got)
		}
	}

	var sum SummaryResponse
	if code := call(t, srv, "GET", "/api/v1/analytics/events/summary", nil, &sum); code != http.StatusOK {
		t.Fatalf("GET /events/summary: %d", code)
	}
	var auditStatus audit.StatusResponse
	if code := call(t, srv, "GET", "/api/v1/audit/status", nil, &auditStatus); code != http.StatusOK {
		t.Fatalf("GET /api/v1/audit/status: %d", code)
	}
	s := sum.Summary
	if s.AuditRuns != auditStatus.Runs || s.AuditRuns.Total != 3 || s.AuditRuns.Failed != 1 {
		t.Errorf("summary's audit runs = %+v; audit's status says %+v", s.AuditRuns, auditStatus.Runs)
	}
	if s.Events != 4 || s.RunFailureRate != 0.5 || s.EventsPerRun != 4.0/3 || len(s.Top) == 0 || s.Top[0].Name != "page.view" || s.Top[0].Count != 2 {
		t.Errorf("summary = %+v", s)
	}

	app, err := rt.App("standard.analytics")
	if err != nil {
		t.Fatal(err)
	}
	records, err := app.DB().IntegrityLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	committed := 0
	for _, r := range records {
		if r.Purpose == "track event" && r.Outcome == framework.OutcomeCommitted {
			committed++
		}
	}
	if committed != 4 {
		t.Errorf("the integrity log holds %d committed \"track event\" sessions; want 4: %+v", committed, records)
	}
}
