package analytics

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/modls/modls/examples/app/modules/standard/audit"
	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// boot starts the module with standard.audit, its dependency, on a fresh
// SQLite file, and returns the audit service as this module sees it.
func boot(t *testing.T, cfg framework.Config) (*Module, *framework.Runtime, auditcontract.Auditor) {
	t.Helper()
	ctx := context.Background()
	if cfg.Database == "" {
		cfg.Database = filepath.Join(t.TempDir(), "app.db")
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	m := New()
	rt, err := framework.Boot(ctx, cfg, audit.New(), m)
	if err != nil {
		t.Fatalf("boot: %v", err)
	}
	t.Cleanup(func() {
		if err := rt.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	app, err := rt.App("standard.analytics")
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := framework.Service[auditcontract.Auditor](app, "audit.service")
	if err != nil {
		t.Fatal(err)
	}
	return m, rt, auditor
}

// call sends a request with an optional JSON body and decodes the JSON
// answer into out, returning the status.
func call(t *testing.T, srv *httptest.Server, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return framework.AsError(err).Code
}
