package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// binary is the application built once for the tests that run it as a
// process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "app-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "app")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the application:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running application whose stderr is collected.
type process struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{} // closed when stderr is drained
}

var servingRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// start runs the application and waits until it serves.
func start(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binary, args...), done: make(chan struct{})}
	p.cmd.Env = cleanEnv()
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			if err := p.cmd.Process.Kill(); err != nil {
				t.Log(err)
			}
			_ = p.cmd.Wait() // the exit status of a killed process says nothing
		}
	})
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case p.addr = <-addr:
	case <-p.done:
		t.Fatalf("the application exited before serving:\n%s", p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("the application did not serve within 30s:\n%s", p.log())
	}
	return p
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// stop sends SIGTERM and returns the exit code.
func (p *process) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the application did not stop within 30s of SIGTERM:\n%s", p.log())
	}
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// request sends a JSON request and returns the status and the decoded body.
func (p *process) request(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://"+p.addr+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, data)
	}
	return resp.StatusCode, out
}

// cleanEnv is the test's environment without APP_ settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APP_") {
			env = append(env, kv)
		}
	}
	return env
}

func TestServeAndShutDown(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "app.db")
	p := start(t, "-addr", "127.0.0.1:0", "-db", dbPath)

	code, status := p.request(t, "GET", "/api/v1/audit/status", "")
	if code != http.StatusOK || status["module"] != "standard.audit" {
		t.Errorf("audit status: %d %v", code, status)
	}
	code, services := p.request(t, "GET", "/api/v1/_framework/services", "")
	if code != http.StatusOK {
		t.Errorf("services: %d %v", code, services)
	}
	names := map[string]bool{}
	list, _ := services["services"].([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			names[fmt.Sprint(m["name"])] = true
		}
	}
	for _, want := range []string{"audit.service", "analytics.service", "notifications.service", "database.service"} {
		if !names[want] {
			t.Errorf("services lack %s: %v", want, names)
		}
	}

	code, created := p.request(t, "POST", "/api/v1/audit/runs", `{"target":"billing"}`)
	if code != http.StatusOK {
		t.Fatalf("create run: %d %v", code, created)
	}
	run, _ := created["run"].(map[string]any)
	runPath := fmt.Sprintf("/api/v1/audit/runs/%v", run["id"])

	// pending → completed skips running: 409 with a JSON error body.
	code, body := p.request(t, "POST", runPath+"/transition", `{"to":"completed"}`)
	errBody, _ := body["error"].(map[string]any)
	if code != http.StatusConflict || errBody["code"] != "conflict.invalid_transition" || errBody["message"] == "" {
		t.Errorf("invalid transition: %d %v", code, body)
	}

	// The modules together: a failed run shows in analytics and is reported
	// by notifications.
	for _, to := range []string{"running", "failed"} {
		if code, body := p.request(t, "POST", runPath+"/transition", `{"to":"`+to+`","note":"timeout"}`); code != http.StatusOK {
			t.Fatalf("→ %s: %d %v", to, code, body)
		}
	}
	if code, body := p.request(t, "POST", "/api/v1/analytics/events", `{"name":"audit.viewed","source":"web"}`); code != http.StatusOK {
		t.Errorf("track: %d %v", code, body)
	}
	code, sum := p.request(t, "GET", "/api/v1/analytics/events/summary", "")
	if s, _ := sum["summary"].(map[string]any); code != http.StatusOK || s["run_failure_rate"] != 1.0 || s["events"] != 1.0 {
		t.Errorf("summary: %d %v", code, sum)
	}
	code, report := p.request(t, "POST", "/api/v1/notifications/outbox/report-failed-runs", `{}`)
	if code != http.StatusOK || report["enqueued"] != 1.0 {
		t.Errorf("report: %d %v", code, report)
	}

	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, p.log())
	}
	if !strings.Contains(p.log(), "msg=stopped") {
		t.Errorf("no stopped line in the log:\n%s", p.log())
	}

	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Errorf("integrity_check = %q", check)
	}
	var sessions int
	if err := db.QueryRow(`SELECT count(*) FROM framework_integrity_log WHERE outcome = 'committed'`).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions < 5 {
		t.Errorf("%d committed integrity sessions, want at least 5", sessions)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "from-config.db")
	cfg := fmt.Sprintf(`{"addr": "127.0.0.1:0", "database": %q, "modules": {"standard.audit": {"max_attempts": 7}}}`, dbPath)
	cfgPath := filepath.Join(dir, "app.json")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, "-config", cfgPath)
	code, status := p.request(t, "GET", "/api/v1/audit/status", "")
	if code != http.StatusOK || status["max_attempts"] != 7.0 {
		t.Errorf("status: %d %v", code, status)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.log())
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Errorf("the config file's database was not used: %v", err)
	}
}

func TestExampleConfig(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("app.example.json")
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "app.json")
	if err := os.WriteFile(cfgPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "app.db")
	p := start(t, "-config", cfgPath, "-addr", "127.0.0.1:0", "-db", dbPath)
	for _, module := range []string{"audit", "analytics", "notifications"} {
		if code, body := p.request(t, "GET", "/api/v1/"+module+"/status", ""); code != http.StatusOK {
			t.Errorf("%s status: %d %v", module, code, body)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.log())
	}
}

func TestBadInput(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name   string
		config string // written to a file and passed with -config
		args   []string
		code   int
		want   string
	}{
		{
			name:   "malformed config",
			config: `{"modules": {"standard.audit": {"max_attempts": 3,}}}`,
			code:   1,
			want:   "invalid JSON",
		},
		{
			name:   "unknown setting",
			config: `{"modules": {"standard.audit": {"max_retries": 3}}}`,
			code:   1,
			want:   `standard.audit: unknown setting "max_retries"`,
		},
		{
			name:   "invalid setting",
			config: `{"modules": {"standard.notifications": {"default_channel": "fax"}}}`,
			code:   1,
			want:   "standard.notifications.default_channel: must be one of email, sms, webhook",
		},
		{
			name:   "unknown module",
			config: `{"modules": {"standard.billing": {}}}`,
			code:   1,
			want:   "settings given for standard.billing",
		},
		{
			name: "port in use",
			args: []string{"-addr", busy.Addr().String()},
			code: 1,
			want: "address already in use",
		},
		{
			name: "stray argument",
			args: []string{"serve"},
			code: 2,
			want: `unexpected argument "serve"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dbPath := filepath.Join(dir, "app.db")
			args := append([]string{"-addr", "127.0.0.1:0", "-db", dbPath}, tt.args...)
			if tt.config != "" {
				cfgPath := filepath.Join(dir, "app.json")
				if err := os.WriteFile(cfgPath, []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-config", cfgPath)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, args...)
			cmd.Env = cleanEnv()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("run: %v, want a non-zero exit\n%s", err, stderr.String())
			}
			if exit.ExitCode() != tt.code {
				t.Errorf("exit code %d, want %d", exit.ExitCode(), tt.code)
			}
			out := strings.TrimRight(stderr.String(), "\n")
			if strings.Count(out, "\n") != 0 || !strings.HasPrefix(out, "app: ") || !strings.Contains(out, tt.want) {
				t.Errorf("stderr = %q, want one line \"app: ...%s...\"", stderr.String(), tt.want)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "app.db") {
					t.Errorf("%s was created", e.Name())
				}
			}
		})
	}
}

func TestBadFlag(t *testing.T) {
	var stderr bytes.Buffer
	cmd := exec.Command(binary, "-port", "80")
	cmd.Dir = t.TempDir()
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("run: %v, want exit code 2", err)
	}
	if !strings.Contains(stderr.String(), "flag provided but not defined: -port") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "app.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("app.db was created: %v", err)
	}
}
