package notifications

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/notifications/contract"
	"github.com/modls/modls/framework"
)

func TestAPI(t *testing.T) {
	t.Setenv("APP_STANDARD_NOTIFICATIONS_MAX_ATTEMPTS", "2")
	_, rt, _ := boot(t, framework.Config{})
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	var status StatusResponse
	if code := call(t, srv, "GET", "/api/v1/notifications/status", nil, &status); code != http.StatusOK {
		t.Fatalf("status: %d", code)
	}
	if status.Module != "standard.notifications" || status.MaxAttempts != 2 || status.DefaultChannel != "email" {
		t.Errorf("status = %+v", status)
	}

	var created NotificationResponse
	if code := call(t, srv, "POST", "/api/v1/notifications/outbox",
		EnqueueRequest{Recipient: "dev@example.com", Subject: "hi"}, &created); code != http.StatusOK {
		t.Fatalf("enqueue: %d", code)
	}
	path := fmt.Sprintf("/api/v1/notifications/outbox/%d", created.Notification.ID)
	var got NotificationResponse
	for i := range 2 {
		if code := call(t, srv, "POST", path+"/attempts", AttemptRequest{Error: "bounced"}, &got); code != http.StatusOK {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	if got.Notification.Status != contract.StatusFailed || len(got.Attempts) != 2 {
		t.Errorf("after two failures = %+v", got)
	}
	var conflict framework.ErrorBody
	if code := call(t, srv, "POST", path+"/attempts", AttemptRequest{Delivered: true}, &conflict); code != http.StatusConflict ||
		conflict.Error.Code != contract.CodeAlreadyFinal || !strings.Contains(conflict.Error.Message, "already failed") {
		t.Errorf("attempt on a failed notification: %d %+v", code, conflict)
	}
	if code := call(t, srv, "GET", path, nil, &got); code != http.StatusOK || got.Notification.Attempts != 2 {
		t.Errorf("get: %d %+v", code, got)
	}

	// A failed audit run, reported through the audit contract.
	var run struct {
		Run struct {
			ID int64 `json:"id"`
		} `json:"run"`
	}
	if code := call(t, srv, "POST", "/api/v1/audit/runs", map[string]string{"target": "billing"}, &run); code != http.StatusOK {
		t.Fatalf("create run: %d", code)
	}
	for _, to := range []string{"running", "failed"} {
		if code := call(t, srv, "POST", fmt.Sprintf("/api/v1/audit/runs/%d/transition", run.Run.ID), map[string]string{"to": to}, nil); code != http.StatusOK {
			t.Fatalf("→ %s: %d", to, code)
		}
	}
	var report ReportResponse
	if code := call(t, srv, "POST", "/api/v1/notifications/outbox/report-failed-runs", ReportRequest{}, &report); code != http.StatusOK || report.Enqueued != 1 {
		t.Errorf("report: %d %+v", code, report)
	}
	var list NotificationListResponse
	if code := call(t, srv, "GET", "/api/v1/notifications/outbox?status=pending", nil, &list); code != http.StatusOK || list.Count != 1 {
		t.Errorf("pending: %d %+v", code, list)
	}
	if code := call(t, srv, "GET", "/api/v1/notifications/status", nil, &status); code != http.StatusOK ||
		status.Outbox != (contract.Counts{Pending: 1, Failed: 1, Total: 2}) {
		t.Errorf("status after = %d %+v", code, status)
	}

	var bad framework.ErrorBody
	for _, p := range []string{"/api/v1/notifications/outbox/0", "/api/v1/notifications/outbox?limit=0", "/api/v1/notifications/outbox?status=lost"} {
		if code := call(t, srv, "GET", p, nil, &bad); code != http.StatusBadRequest || bad.Error.Code != framework.CodeInvalidArgument {
			t.Errorf("GET %s: %d %+v", p, code, bad)
		}
	}
}
