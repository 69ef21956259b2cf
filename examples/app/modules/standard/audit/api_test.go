package audit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

func TestAPI(t *testing.T) {
	_, rt := boot(t, framework.Config{})
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	var status StatusResponse
	if code := call(t, srv, "GET", "/api/v1/audit/status", nil, &status); code != http.StatusOK {
		t.Fatalf("status: %d", code)
	}
	if status.Module != "standard.audit" || status.MaxAttempts != 3 || status.Runs.Total != 0 {
		t.Errorf("status = %+v", status)
	}

	var created RunResponse
	if code := call(t, srv, "POST", "/api/v1/audit/runs", CreateRunRequest{Target: "billing"}, &created); code != http.StatusOK {
		t.Fatalf("create: %d", code)
	}
	if created.Run.Status != contract.StatusPending || len(created.Events) != 1 {
		t.Fatalf("created = %+v", created)
	}
	runPath := fmt.Sprintf("/api/v1/audit/runs/%d", created.Run.ID)

	// An invalid transition is a 409 with the framework's JSON error body.
	var conflict framework.ErrorBody
	if code := call(t, srv, "POST", runPath+"/transition", TransitionRequest{To: contract.StatusCompleted}, &conflict); code != http.StatusConflict {
		t.Fatalf("pending → completed: %d, want 409", code)
	}
	if conflict.Error.Code != contract.CodeInvalidTransition || !strings.Contains(conflict.Error.Message, "cannot move from pending to completed") {
		t.Errorf("409 body = %+v", conflict)
	}

	var moved RunResponse
	for _, to := range []contract.Status{contract.StatusRunning, contract.StatusFailed, contract.StatusRunning} {
		if code := call(t, srv, "POST", runPath+"/transition", TransitionRequest{To: to, Note: "step"}, &moved); code != http.StatusOK {
			t.Fatalf("→ %s: %d", to, code)
		}
	}
	if moved.Run.Status != contract.StatusRunning || moved.Run.Attempts != 2 || len(moved.Events) != 4 {
		t.Errorf("after retry = %+v", moved)
	}

	var got RunResponse
	if code := call(t, srv, "GET", runPath, nil, &got); code != http.StatusOK || got.Run.ID != created.Run.ID {
		t.Errorf("get: %d %+v", code, got)
	}
	var list RunListResponse
	if code := call(t, srv, "GET", "/api/v1/audit/runs?status=running", nil, &list); code != http.StatusOK || list.Count != 1 {
		t.Errorf("list running: %d %+v", code, list)
	}
	if code := call(t, srv, "GET", "/api/v1/audit/runs?status=completed", nil, &list); code != http.StatusOK || list.Count != 0 || list.Runs == nil {
		t.Errorf("list completed: %d %+v", code, list)
	}
	if code := call(t, srv, "GET", "/api/v1/audit/status", nil, &status); code != http.StatusOK || status.Runs.Running != 1 || status.Runs.Total != 1 {
		t.Errorf("status after = %d %+v", code, status)
	}
}

func TestAPIErrors(t *testing.T) {
	_, rt := boot(t, framework.Config{})
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()
	tests := []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"GET", "/api/v1/audit/runs/12", nil, 404, framework.CodeNotFound},
		{"GET", "/api/v1/audit/runs/abc", nil, 400, framework.CodeInvalidArgument},
		{"GET", "/api/v1/audit/runs?limit=x", nil, 400, framework.CodeInvalidArgument},
		{"GET", "/api/v1/audit/runs?status=paused", nil, 400, framework.CodeInvalidArgument},
		{"POST", "/api/v1/audit/runs", CreateRunRequest{}, 400, framework.CodeInvalidArgument},
		{"POST", "/api/v1/audit/runs", map[string]string{"name": "x"}, 400, framework.CodeInvalidArgument},
		{"POST", "/api/v1/audit/runs/1/transition", TransitionRequest{}, 400, framework.CodeInvalidArgument},
		{"POST", "/api/v1/audit/runs/1/transition", TransitionRequest{To: "running"}, 404, framework.CodeNotFound},
	}
	for _, tt := range tests {
		var body framework.ErrorBody
		if got := call(t, srv, tt.method, tt.path, tt.body, &body); got != tt.status || body.Error.Code != tt.code {
			t.Errorf("%s %s: %d %+v, want %d %s", tt.method, tt.path, got, body, tt.status, tt.code)
		}
	}
}
