package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modls/modls/sandbox"
)

// lspCeiling bounds every wait of the server tests: a sandbox run builds
// and runs module code, which takes a while on a loaded machine.
const lspCeiling = 5 * time.Minute

// rpcMessage is any JSON-RPC message.
type rpcMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// lspClient is an editor at the other end of `modls serve`'s standard
// input and output, with Content-Length framing: it answers the server's
// requests and keeps its notifications, so that tests wait for them.
type lspClient struct {
	t       *testing.T
	wmu     sync.Mutex
	w       io.Writer
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every message
	nextID  int
	replies map[string]rpcMessage
	notes   []rpcMessage // notifications and requests from the server
	readErr error
}

func newLSPClient(t *testing.T, w io.Writer, r io.Reader) *lspClient {
	c := &lspClient{t: t, w: w, changed: make(chan struct{}), replies: map[string]rpcMessage{}}
	go c.read(bufio.NewReader(r))
	return c
}

func (c *lspClient) read(br *bufio.Reader) {
	tp := textproto.NewReader(br)
	for {
		hdr, err := tp.ReadMIMEHeader()
		var body []byte
		if err == nil {
			var n int
			if n, err = strconv.Atoi(hdr.Get("Content-Length")); err == nil {
				body = make([]byte, n)
				_, err = io.ReadFull(br, body)
			}
		}
		var m rpcMessage
		if err == nil {
			err = json.Unmarshal(body, &m)
		}
		c.mu.Lock()
		switch {
		case err != nil:
			c.readErr = err
		case m.Method == "":
			c.replies[string(m.ID)] = m
		default:
			c.notes = append(c.notes, m)
		}
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		if err != nil {
			return
		}
		if m.Method != "" && m.ID != nil {
			// The editor accepts whatever the server asks
			// (progress tokens, registrations, refreshes).
			go c.send(rpcMessage{ID: m.ID, Result: json.RawMessage("null")})
		}
	}
}

func (c *lspClient) send(m rpcMessage) {
	m.JSONRPC = "2.0"
	body, err := json.Marshal(m)
	if err != nil {
		c.t.Error(err)
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(body), body)
}

// waitFor waits until cond, called with the lock held, holds.
func (c *lspClient) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.After(lspCeiling)
	for {
		c.mu.Lock()
		ok, changed, err := cond(), c.changed, c.readErr
		c.mu.Unlock()
		if ok {
			return
		}
		if err != nil {
			c.t.Fatalf("waiting for %s: the server's output ended: %v", what, err)
		}
		select {
		case <-changed:
		case <-deadline:
			c.t.Fatalf("no %s within %v", what, lspCeiling)
		}
	}
}

func (c *lspClient) call(method string, params, result any) {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := json.RawMessage(strconv.Itoa(c.nextID))
	c.mu.Unlock()
	p, _ := json.Marshal(params)
	c.send(rpcMessage{ID: id, Method: method, Params: p})
	var reply rpcMessage
	c.waitFor("answer to "+method, func() bool {
		var ok bool
		reply, ok = c.replies[string(id)]
		return ok
	})
	if reply.Error != nil {
		c.t.Fatalf("%s: error %d %s", method, reply.Error.Code, reply.Error.Message)
	}
	if result != nil {
		if err := json.Unmarshal(reply.Result, result); err != nil {
			c.t.Fatalf("%s: %v in %s", method, err, reply.Result)
		}
	}
}

func (c *lspClient) notify(method string, params any) {
	p, _ := json.Marshal(params)
	c.send(rpcMessage{Method: method, Params: p})
}

// since returns the server's messages from index n on.
func (c *lspClient) since(n int) []rpcMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]rpcMessage(nil), c.notes[n:]...)
}

func (c *lspClient) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.notes)
}

// progressOf lists the $/progress values among msgs as "kind title|message".
func progressOf(t *testing.T, msgs []rpcMessage) (token string, values []string) {
	t.Helper()
	for _, m := range msgs {
		if m.Method != "$/progress" {
			continue
		}
		var p struct {
			Token json.RawMessage `json:"token"`
			Value struct {
				Kind    string `json:"kind"`
				Title   string `json:"title"`
				Message string `json:"message"`
			} `json:"value"`
		}
		if err := json.Unmarshal(m.Params, &p); err != nil {
			t.Fatal(err)
		}
		if token != "" && token != string(p.Token) {
			t.Errorf("$/progress with tokens %s and %s", token, p.Token)
		}
		token = string(p.Token)
		values = append(values, strings.TrimSpace(p.Value.Kind+" "+p.Value.Title+p.Value.Message))
	}
	return token, values
}

func fileURI(path string) string { return (&url.URL{Scheme: "file", Path: path}).String() }

// TestServeIntegrationLens runs `modls serve` over a pipe, as an editor
// does, on a copy of examples/app, and runs the "run integration
// (sandbox)" lens of standard.analytics for real: once on the files as
// saved, then with an unsaved edit that breaks its integration test. The
// server reports each check through $/progress, answers the outcome, and
// turns the failure into a diagnostic at the failing line of the real
// file.
func TestServeIntegrationLens(t *testing.T) {
	t.Setenv("MODLS_CACHE", filepath.Join(t.TempDir(), "cache.db"))
	root, _ := filepath.Abs("../..")
	ws := t.TempDir()
	all := func(string) bool { return true }
	copyFiles(t, filepath.Join(root, "go.mod"), filepath.Join(ws, "go.mod"), all)
	copyFiles(t, filepath.Join(root, "go.sum"), filepath.Join(ws, "go.sum"), all)
	copyFiles(t, filepath.Join(root, "framework"), filepath.Join(ws, "framework"), func(p string) bool { return !strings.HasSuffix(p, "_test.go") })
	copyFiles(t, filepath.Join(root, "examples", "app"), filepath.Join(ws, "examples", "app"), all)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the sandboxes go, to check that none is left

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	var stderrMu sync.Mutex
	served := make(chan int, 1)
	go func() {
		code := run(context.Background(), []string{"serve"}, env{Stdin: inR, Stdout: outW, Stderr: &lockedBuffer{mu: &stderrMu, b: &stderr}})
		outW.Close()
		served <- code
	}()
	c := newLSPClient(t, inW, outR)
	defer func() {
		if t.Failed() {
			stderrMu.Lock()
			t.Logf("server log:\n%s", stderr.String())
			stderrMu.Unlock()
		}
	}()

	c.call("initialize", map[string]any{
		"processId": nil,
		"rootUri":   fileURI(ws),
		"capabilities": map[string]any{
			"window":       map[string]any{"workDoneProgress": true},
			"textDocument": map[string]any{"publishDiagnostics": map[string]any{}},
		},
		"workspaceFolders": []map[string]any{{"uri": fileURI(ws), "name": "ws"}},
	}, nil)
	c.notify("initialized", map[string]any{})

	dir := filepath.Join(ws, "examples", "app", "modules", "standard", "analytics")
	moduleGo := filepath.Join(dir, "module.go")
	src, err := os.ReadFile(moduleGo)
	if err != nil {
		t.Fatal(err)
	}
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": fileURI(moduleGo), "languageId": "go", "version": 1, "text": string(src)}})
	var lenses []struct {
		Command struct {
			Title     string            `json:"title"`
			Command   string            `json:"command"`
			Arguments []json.RawMessage `json:"arguments"`
		} `json:"command"`
	}
	c.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": fileURI(moduleGo)}}, &lenses)
	var lens map[string]any
	for _, l := range lenses {
		if l.Command.Title == "run integration (sandbox)" {
			lens = map[string]any{"command": l.Command.Command, "arguments": l.Command.Arguments}
		}
	}
	if lens == nil {
		t.Fatalf("no \"run integration (sandbox)\" lens on module.go: %+v", lenses)
	}

	type commandResult struct {
		OK        bool   `json:"ok"`
		Summary   string `json:"summary"`
		Isolation *struct {
			Summary string `json:"summary"`
			Layers  []struct {
				Name, Status, Detail string
			} `json:"layers"`
			Network bool `json:"network"`
		} `json:"isolation"`
	}
	runLens := func() (commandResult, []string) {
		t.Helper()
		from := c.count()
		var res commandResult
		c.call("workspace/executeCommand", lens, &res)
		// The end of the progress is sent before the answer; wait for it
		// all the same, as the two travel separately.
		var values []string
		c.waitFor("the end of the progress", func() bool {
			_, values = progressOf(t, c.notes[from:])
			return len(values) > 0 && strings.HasPrefix(values[len(values)-1], "end ")
		})
		return res, values
	}

	// As saved: every check passes, the module's integration test among them.
	res, progress := runLens()
	if !res.OK || !strings.HasPrefix(res.Summary, "standard.analytics integration: 13 checks passed") {
		t.Errorf("result = %+v; want 13 checks passed", res)
	}
	want := []string{"begin modls: run integration (sandbox) analytics", "report pass module builds", "report pass module loads",
		"report pass integrity session round-trip", "report pass test TestSummaryOverHTTPCountsAuditRuns",
		"report pass integration tests leave no processes", "end " + res.Summary}
	if missing := inOrder(progress, want); missing != "" {
		t.Errorf("$/progress lacks %q (in order) among:\n%s", missing, strings.Join(progress, "\n"))
	}
	if n := len(progress); n != 13+2 {
		t.Errorf("%d $/progress values; want begin, a report per check (13) and end:\n%s", n, strings.Join(progress, "\n"))
	}
	// The outcome carries the isolation report: every layer, each in
	// force or why not.
	var missing []string
	if res.Isolation == nil || len(res.Isolation.Layers) < 10 || !strings.Contains(res.Isolation.Summary, "layers in force") || res.Isolation.Network {
		t.Errorf("isolation = %+v; want the report of every layer, without the network", res.Isolation)
	} else {
		for _, l := range res.Isolation.Layers {
			if l.Status == "unavailable" {
				missing = append(missing, l.Name)
			}
		}
	}

	// An unsaved edit breaks the integration test: the sandbox runs the
	// buffer, and the failure lands on its line in the real file.
	testGo := filepath.Join(dir, "analytics_integration_test.go")
	saved, err := os.ReadFile(testGo)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(saved), "if s.Events != 4 ||", "if s.Events != 5 ||", 1)
	if edited == string(saved) {
		t.Fatal("the integration test no longer checks s.Events != 4")
	}
	failLine := 0
	for i, l := range strings.Split(edited, "\n") {
		if strings.Contains(l, `t.Errorf("summary = %+v", s)`) {
			failLine = i + 1
		}
	}
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": fileURI(testGo), "languageId": "go", "version": 1, "text": edited}})
	from := c.count()
	res, progress = runLens()
	if res.OK || !strings.Contains(res.Summary, "1 failed (test TestSummaryOverHTTPCountsAuditRuns)") {
		t.Errorf("result = %+v; want the one test failed", res)
	}
	if missing := inOrder(progress, []string{"report pass module loads", "report fail test TestSummaryOverHTTPCountsAuditRuns", "end " + res.Summary}); missing != "" {
		t.Errorf("$/progress lacks %q (in order) among:\n%s", missing, strings.Join(progress, "\n"))
	}
	c.waitFor("the test's failure as a diagnostic", func() bool {
		for _, m := range c.notes[from:] {
			if m.Method != "textDocument/publishDiagnostics" {
				continue
			}
			var p struct {
				URI         string `json:"uri"`
				Diagnostics []struct {
					Range struct {
						Start struct{ Line int } `json:"start"`
					} `json:"range"`
					Source  string `json:"source"`
					Message string `json:"message"`
				} `json:"diagnostics"`
			}
			if json.Unmarshal(m.Params, &p) != nil || p.URI != fileURI(testGo) {
				continue
			}
			for _, d := range p.Diagnostics {
				if d.Source == "modls-test" && d.Range.Start.Line == failLine-1 &&
					strings.HasPrefix(d.Message, "integration test TestSummaryOverHTTPCountsAuditRuns: summary = ") {
					return true
				}
			}
		}
		return false
	})
	if now, _ := os.ReadFile(testGo); !bytes.Equal(now, saved) {
		t.Error("the run wrote the unsaved buffer to disk")
	}

	// A machine without a layer is said so once, however many runs.
	warnings := 0
	for _, m := range c.since(0) {
		if m.Method == "window/showMessage" && strings.Contains(string(m.Params), "the sandbox runs module code without") {
			warnings++
		}
	}
	if want := min(len(missing), 1); warnings != want {
		t.Errorf("%d isolation warnings for missing layers %v; want %d", warnings, missing, want)
	}

	c.call("shutdown", nil, nil)
	c.notify("exit", nil)
	select {
	case code := <-served:
		if code != 0 {
			t.Errorf("serve exited with %d", code)
		}
	case <-time.After(lspCeiling):
		t.Fatal("serve did not exit")
	}
	inW.Close()
	if left, _ := filepath.Glob(filepath.Join(tmp, sandbox.Prefix+"*")); len(left) > 0 {
		t.Errorf("sandboxes left behind: %v", left)
	}
}

// inOrder returns the first of want not found in got after the previous
// one, or "".
func inOrder(got, want []string) string {
	i := 0
	for _, w := range want {
		for i < len(got) && got[i] != w {
			i++
		}
		if i == len(got) {
			return w
		}
		i++
	}
	return ""
}

// lockedBuffer is a bytes.Buffer written by the server's goroutines.
type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
