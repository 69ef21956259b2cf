//go:build integration

// The integration tests run in the sandbox (modls sandbox --module
// standard.audit, or the "run integration (sandbox)" code lens): the module
// alone with the framework's core modules, in a copy of the application.
// Plain go test leaves them out.

package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// TestRunsSurviveARestart serves the module the way the application does
// (framework.Run, a config file, a real listener and SQLite file), takes a
// run through its life over HTTP, stops, serves again on the same database
// and finds the run, its history and the configured max_attempts in force.
func TestRunsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "app.json")
	data := fmt.Sprintf(`{"addr": "127.0.0.1:0", "database": %q, "modules": {"standard.audit": {"max_attempts": 2}}}`, filepath.Join(dir, "app.db"))
	if err := os.WriteFile(config, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := framework.LoadConfig(config)
	if err != nil {
		t.Fatal(err)
	}

	base, stop := serve(t, cfg)
	var created RunResponse
	post(t, base+"/api/v1/audit/runs", CreateRunRequest{Target: "billing"}, http.StatusOK, &created)
	id := created.Run.ID
	for _, to := range []contract.Status{contract.StatusRunning, contract.StatusFailed, contract.StatusRunning, contract.StatusFailed} {
		var moved RunResponse
		post(t, fmt.Sprintf("%s/api/v1/audit/runs/%d/transition", base, id), TransitionRequest{To: to, Note: "step to " + string(to)}, http.StatusOK, &moved)
		if moved.Run.Status != to {
			t.Fatalf("after the transition to %s the run is %s", to, moved.Run.Status)
		}
	}
	stop()

	base, stop = serve(t, cfg)
	defer stop()
	var status StatusResponse
	get(t, base+"/api/v1/audit/status", &status)
	if status.MaxAttempts != 2 || status.Runs.Failed != 1 || status.Runs.Total != 1 {
		t.Errorf("status after the restart = %+v; want max_attempts 2 and the one failed run", status)
	}
	var run RunResponse
	get(t, fmt.Sprintf("%s/api/v1/audit/runs/%d", base, id), &run)
	if run.Run.Target != "billing" || run.Run.Attempts != 2 || len(run.Events) != 5 {
		t.Fatalf("run after the restart = %+v with %d events; want billing, 2 attempts, 5 events", run.Run, len(run.Events))
	}
	if last := run.Events[4]; last.From != contract.StatusRunning || last.To != contract.StatusFailed || last.Note != "step to failed" {
		t.Errorf("last event = %+v", last)
	}
	// Two failed attempts used max_attempts from the config file.
	var refused framework.ErrorBody
	post(t, fmt.Sprintf("%s/api/v1/audit/runs/%d/transition", base, id), TransitionRequest{To: contract.StatusRunning}, http.StatusConflict, &refused)
	if refused.Error.Code != contract.CodeAttemptsExhausted {
		t.Errorf("a third attempt answered %+v; want %s", refused.Error, contract.CodeAttemptsExhausted)
	}
}

// serve runs the module with framework.Run until stop is called, and
// returns its base URL.
func serve(t *testing.T, cfg framework.Config) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	cfg.Ready = func(a net.Addr) { ready <- a }
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	done := make(chan error, 1)
	go func() { done <- framework.Run(ctx, cfg, New()) }()
	select {
	case a := <-ready:
		base = "http://" + a.String()
	case err := <-done:
		cancel()
		t.Fatalf("Run ended before serving: %v", err)
	case <-time.After(time.Minute):
		cancel()
		t.Fatal("Run did not serve within a minute")
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("Run did not stop within a minute")
		}
	}
	t.Cleanup(stop)
	return base, stop
}

func get(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, resp, http.StatusOK, out)
}

func post(t *testing.T, url string, body any, want int, out any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, resp, want, out)
}

func decode(t *testing.T, resp *http.Response, want int, out any) {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s answered %d %s; want %d", resp.Request.Method, resp.Request.URL, resp.StatusCode, data, want)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s %s: %v in %s", resp.Request.Method, resp.Request.URL, err, data)
	}
}
