package analytics

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

func TestAPI(t *testing.T) {
	_, rt, _ := boot(t, framework.Config{})
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	var status StatusResponse
	if code := call(t, srv, "GET", "/api/v1/analytics/status", nil, &status); code != http.StatusOK {
		t.Fatalf("status: %d", code)
	}
	if status.Module != "standard.analytics" || status.Events != 0 || status.RetentionDays != 90 || len(status.Sources) != 3 {
		t.Errorf("status = %+v", status)
	}
	for _, name := range []string{"page.view", "page.view", "search"} {
		var tracked EventResponse
		if code := call(t, srv, "POST", "/api/v1/analytics/events", TrackRequest{Name: name, Source: "web"}, &tracked); code != http.StatusOK || tracked.Event.Name != name {
			t.Fatalf("track %s: %d %+v", name, code, tracked)
		}
	}
	// A run that failed, created through audit's own API.
	var run struct {
		Run auditcontract.Run `json:"run"`
	}
	if code := call(t, srv, "POST", "/api/v1/audit/runs", map[string]string{"target": "billing"}, &run); code != http.StatusOK {
		t.Fatalf("create run: %d", code)
	}
	for _, to := range []string{"running", "failed"} {
		if code := call(t, srv, "POST", fmt.Sprintf("/api/v1/audit/runs/%d/transition", run.Run.ID), map[string]string{"to": to}, nil); code != http.StatusOK {
			t.Fatalf("→ %s: %d", to, code)
		}
	}
	var sum SummaryResponse
	if code := call(t, srv, "GET", "/api/v1/analytics/events/summary", nil, &sum); code != http.StatusOK {
		t.Fatalf("summary: %d", code)
	}
	if s := sum.Summary; s.Events != 3 || s.AuditRuns.Failed != 1 || s.RunFailureRate != 1 || s.EventsPerRun != 3 || len(s.Top) != 2 {
		t.Errorf("summary = %+v", s)
	}
	var list EventListResponse
	if code := call(t, srv, "GET", "/api/v1/analytics/events?limit=2", nil, &list); code != http.StatusOK || list.Count != 2 {
		t.Errorf("events: %d %+v", code, list)
	}
	var pruned PruneResponse
	if code := call(t, srv, "POST", "/api/v1/analytics/events/prune", PruneRequest{}, &pruned); code != http.StatusOK || pruned.Deleted != 0 {
		t.Errorf("prune: %d %+v", code, pruned)
	}

	var bad framework.ErrorBody
	if code := call(t, srv, "POST", "/api/v1/analytics/events", TrackRequest{Name: "x", Source: "fax"}, &bad); code != http.StatusBadRequest || bad.Error.Code != framework.CodeInvalidArgument {
		t.Errorf("bad source: %d %+v", code, bad)
	}
	if code := call(t, srv, "GET", "/api/v1/analytics/events?limit=many", nil, &bad); code != http.StatusBadRequest {
		t.Errorf("bad limit: %d %+v", code, bad)
	}
}
