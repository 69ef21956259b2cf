//go:build integration

// The integration tests run in the sandbox (modls sandbox --module
// standard.notifications, or the "run integration (sandbox)" code lens):
// this module and standard.audit, its dependency, with the framework's core
// modules, in a copy of the application. Plain go test leaves them out.

package notifications

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/examples/app/modules/standard/notifications/contract"
	"github.com/modls/modls/framework"
)

// TestFailedAuditRunsReachTheOutbox fails audit runs through the audit
// contract and reports them over HTTP: each failed attempt is enqueued
// once, for the ops recipient of the settings, and delivering it closes it.
func TestFailedAuditRunsReachTheOutbox(t *testing.T) {
	ctx := context.Background()
	cfg := framework.Config{Modules: map[string]json.RawMessage{"standard.notifications": json.RawMessage(`{"ops_recipient": "oncall@example.com", "default_channel": "sms"}`)}}
	_, rt, auditor := boot(t, cfg)
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	run, err := auditor.CreateRun(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	step := func(to auditcontract.Status, note string) {
		t.Helper()
		if run, err = auditor.Transition(ctx, run.ID, to, note); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	report := func(want int) {
		t.Helper()
		var got ReportResponse
		if code := call(t, srv, "POST", "/api/v1/notifications/outbox/report-failed-runs", ReportRequest{}, &got); code != http.StatusOK || got.Enqueued != want {
			t.Fatalf("report-failed-runs: %d, enqueued %d; want 200, %d", code, got.Enqueued, want)
		}
	}
	report(0)
	step(auditcontract.StatusRunning, "")
	step(auditcontract.StatusFailed, "disk full")
	report(1)
	report(0) // reported once
	step(auditcontract.StatusRunning, "retry")
	step(auditcontract.StatusFailed, "disk still full")
	report(1) // the second attempt is news

	var list NotificationListResponse
	if code := call(t, srv, "GET", "/api/v1/notifications/outbox?status=pending", nil, &list); code != http.StatusOK || list.Count != 2 {
		t.Fatalf("GET /outbox: %d %+v; want the two reports", code, list)
	}
	newest := list.Notifications[0]
	if newest.Recipient != "oncall@example.com" || newest.Channel != "sms" || !strings.Contains(newest.Subject, "billing") ||
		!strings.Contains(newest.Subject, "attempt 2") || newest.Body != "disk still full" {
		t.Errorf("newest report = %+v", newest)
	}

	var sent NotificationResponse
	if code := call(t, srv, "POST", fmt.Sprintf("/api/v1/notifications/outbox/%d/attempts", newest.ID), AttemptRequest{Delivered: true}, &sent); code != http.StatusOK ||
		sent.Notification.Status != contract.StatusSent || len(sent.Attempts) != 1 {
		t.Fatalf("delivering: %d %+v", code, sent)
	}
	var refused framework.ErrorBody
	if code := call(t, srv, "POST", fmt.Sprintf("/api/v1/notifications/outbox/%d/attempts", newest.ID), AttemptRequest{Delivered: true}, &refused); code != http.StatusConflict ||
		refused.Error.Code != contract.CodeAlreadyFinal {
		t.Errorf("a second delivery: %d %+v; want 409 %s", code, refused.Error, contract.CodeAlreadyFinal)
	}
}
