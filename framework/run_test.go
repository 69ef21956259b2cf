package framework_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/framework"
)

// runApp starts Run in a goroutine and returns the address it serves on and
// a channel with Run's result.
func runApp(t *testing.T, ctx context.Context, cfg framework.Config, modules ...framework.Module) (string, <-chan error) {
	t.Helper()
	ready := make(chan net.Addr, 1)
	cfg.Ready = func(a net.Addr) { ready <- a }
	done := make(chan error, 1)
	go func() { done <- framework.Run(ctx, cfg, modules...) }()
	select {
	case a := <-ready:
		return a.String(), done
	case err := <-done:
		t.Fatalf("Run returned before it was ready: %v", err)
	case <-time.After(waitLimit):
		t.Fatalf("Run was not ready within %v", waitLimit)
	}
	return "", nil
}

// waitLimit bounds every wait for an event of these tests.
const waitLimit = 2 * time.Minute

func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return within %v of cancellation", waitLimit)
		return nil
	}
}

func TestRunServesAndShutsDownGracefully(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	stopped := make(chan struct{})
	stoppedTooSoon := make(chan bool, 1) // whether Stop ran while the request was in flight
	slow := &stoppingMod{
		mod: &mod{name: "test.slow", features: []string{"api"}, setup: func(s *framework.Setup) error {
			return s.Handle(
				framework.GET("/status", func(context.Context, *framework.Request) (statusResp, error) {
					return statusResp{OK: true}, nil
				}),
				framework.GET("/slow", func(context.Context, *framework.Request) (statusResp, error) {
					close(entered)
					<-release
					select {
					case <-stopped:
						stoppedTooSoon <- true
					default:
						stoppedTooSoon <- false
					}
					return statusResp{OK: true}, nil
				}),
			)
		}},
		stop: func(context.Context) error { close(stopped); return nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig(t)
	addr, done := runApp(t, ctx, cfg, slow)
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Errorf("Ready got %q; want 127.0.0.1 with a chosen port", addr)
	}

	var st statusResp
	getJSON(t, "http://"+addr+"/api/v1/slow/status", http.StatusOK, &st)
	if !st.OK {
		t.Errorf("got %+v; want ok", st)
	}

	type result struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/api/v1/slow/slow")
		if err != nil {
			inflight <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		inflight <- result{status: resp.StatusCode, body: string(b)}
	}()
	<-entered
	cancel()
	// Shutdown closes the listener first, then waits for the in-flight
	// request: once a new connection is refused, shutdown is under way.
	deadline := time.Now().Add(waitLimit)
	for {
		c, err := net.DialTimeout("tcp", addr, waitLimit)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the listener still accepts %v after the cancellation", waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned %v while a request was in flight", err)
	default:
	}
	close(release)
	r := <-inflight
	if r.err != nil || r.status != 200 || strings.TrimSpace(r.body) != `{"ok":true}` {
		t.Errorf("in-flight request: got %d %q %v; want 200 {\"ok\":true}", r.status, r.body, r.err)
	}
	if <-stoppedTooSoon {
		t.Error("the module was stopped while a request was in flight")
	}
	if err := waitRun(t, done); err != nil {
		t.Errorf("Run returned %v; want nil", err)
	}
	select {
	case <-stopped:
	default:
		t.Error("the module was not stopped")
	}
	if _, err := net.DialTimeout("tcp", addr, waitLimit); err == nil {
		t.Error("the listener is still open after Run returned")
	}
	if _, err := os.Stat(cfg.Database); err != nil {
		t.Errorf("the database file was not created: %v", err)
	}
}

func TestRunPortInUseFailsBeforeTheDatabaseIsCreated(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testConfig(t)
	cfg.Addr = ln.Addr().String()
	started := false
	m := &mod{name: "test.a", setup: func(*framework.Setup) error { started = true; return nil }}
	err = framework.Run(context.Background(), cfg, m)
	wantErr(t, err, "address already in use")
	if started {
		t.Error("Setup ran although the port was taken")
	}
	if _, statErr := os.Stat(cfg.Database); !os.IsNotExist(statErr) {
		t.Errorf("the database file exists (stat: %v); want none", statErr)
	}
}

func TestRunInvalidSettingsLeaveNoDatabase(t *testing.T) {
	type s struct {
		N int `json:"n" validate:"min=1"`
	}
	cfg := testConfig(t)
	cfg.Modules = map[string]json.RawMessage{"test.conf": json.RawMessage(`{"n": 0}`)}
	m := &mod{name: "test.conf", setup: func(st *framework.Setup) error {
		_, err := framework.Settings[s](st)
		return err
	}}
	err := framework.Run(context.Background(), cfg, m)
	wantModuleError(t, err, "test.conf", "Setup")
	wantErr(t, err, "test.conf.n: value must be at least 1, got 0")
	if _, statErr := os.Stat(cfg.Database); !os.IsNotExist(statErr) {
		t.Errorf("the database file exists (stat: %v); want none", statErr)
	}
	// The port is free again.
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		t.Fatal(lerr)
	}
	ln.Close()
}

func TestRunStartFailureReturnsTheModuleError(t *testing.T) {
	m := &mod{name: "test.bad", start: func(context.Context, *framework.App) error { return io.ErrUnexpectedEOF }}
	err := framework.Run(context.Background(), testConfig(t), m)
	wantModuleError(t, err, "test.bad", "Start")
}

func TestRunReportsStopErrors(t *testing.T) {
	m := &stoppingMod{mod: &mod{name: "test.stop"}, stop: func(context.Context) error { return io.ErrClosedPipe }}
	ctx, cancel := context.WithCancel(context.Background())
	_, done := runApp(t, ctx, testConfig(t), m)
	cancel()
	err := waitRun(t, done)
	wantModuleError(t, err, "test.stop", "Stop")
}

func TestRunWithDefaultLoggerAndMemoryDatabase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := framework.Config{Addr: "127.0.0.1:0", Database: ":memory:", Logger: quietLogger()}
	addr, done := runApp(t, ctx, cfg)
	var body struct {
		Modules []framework.ModuleInfo `json:"modules"`
	}
	getJSON(t, "http://"+addr+"/api/v1/_framework/modules", http.StatusOK, &body)
	if len(body.Modules) != len(framework.CoreModules) {
		t.Errorf("got %d modules; want the %d core modules", len(body.Modules), len(framework.CoreModules))
	}
	cancel()
	if err := waitRun(t, done); err != nil {
		t.Errorf("Run: %v", err)
	}
}
