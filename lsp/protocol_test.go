package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"
)

// rawClient speaks the wire protocol byte by byte, to send what no
// well-behaved client would.
type rawClient struct {
	t    *testing.T
	srv  *Server
	conn net.Conn
	r    *bufio.Reader
	done chan error
	// notes are the notifications read so far, by method.
	notes []string
}

func newRawClient(t *testing.T, hook func(*Server)) *rawClient {
	a, b := net.Pipe()
	s := newServer(testOptions(t, Options{}))
	if hook != nil {
		hook(s)
	}
	c := &rawClient{t: t, srv: s, conn: b, r: bufio.NewReader(b), done: make(chan error, 1)}
	go func() { c.done <- s.serve(context.Background(), a) }()
	t.Cleanup(func() {
		b.Close()
		select {
		case <-c.done:
		case <-time.After(waitLimit):
			t.Error("server did not stop when its stream closed")
		}
	})
	return c
}

func (c *rawClient) send(body string) {
	c.t.Helper()
	c.sendRaw(frame(body))
}

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

func (c *rawClient) sendRaw(data string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(waitLimit))
	if _, err := io.WriteString(c.conn, data); err != nil {
		c.t.Fatal(err)
	}
}

// response is a JSON-RPC message as the client sees it.
type response struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// read reads messages until one that is a response (notifications from
// the server are skipped).
func (c *rawClient) read() response {
	c.t.Helper()
	for {
		c.conn.SetReadDeadline(time.Now().Add(waitLimit))
		length := -1
		for {
			line, err := c.r.ReadString('\n')
			if err != nil {
				c.t.Fatalf("reading a header: %v", err)
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(c.r, body); err != nil {
			c.t.Fatal(err)
		}
		var r response
		if err := json.Unmarshal(body, &r); err != nil {
			c.t.Fatalf("server sent bad JSON %q: %v", body, err)
		}
		if r.Method == "" {
			return r
		}
		c.notes = append(c.notes, r.Method)
	}
}

func (c *rawClient) initialize() {
	c.t.Helper()
	c.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`)
	if r := c.read(); r.Error != nil {
		c.t.Fatalf("initialize: %v", r.Error.Message)
	}
	c.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
}

// TestMalformedMessages sends what a broken client might and checks that
// each gets a JSON-RPC error and that the server keeps answering.
func TestMalformedMessages(t *testing.T) {
	c := newRawClient(t, nil)
	c.initialize()
	cases := []struct {
		name, raw string
		id        string // the id the error answers; "null" when unknown
		code      int
	}{
		{"not JSON", "Content-Length: 9\r\n\r\n{\"jsonrpc", "null", int(jsonrpc2.ParseError)},
		{"no Content-Length", "Content-Type: x\r\n\r\n", "null", int(jsonrpc2.ParseError)},
		{"bad Content-Length", "Content-Length: lots\r\n\r\n", "null", int(jsonrpc2.ParseError)},
		// One answer for the frame: its body, {}, is no request either.
		{"header without colon", "garbage\r\nContent-Length: 2\r\n\r\n{}", "null", int(jsonrpc2.InvalidRequest)},
		{"header without colon, then a request", "garbage\r\n" + frame(`{"jsonrpc":"2.0","id":6,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///nowhere/x.go"}}}`), "null", int(jsonrpc2.ParseError)},
		{"not an object", "Content-Length: 5\r\n\r\n[1,2]", "null", int(jsonrpc2.InvalidRequest)},
		{"wrong version", frame(`{"jsonrpc":"1.0","id":7,"method":"shutdown"}  `), "7", int(jsonrpc2.InvalidRequest)},
		{"method not a string", frame(`{"jsonrpc":"2.0","id":"x","method":4}`), `"x"`, int(jsonrpc2.InvalidRequest)},
		{"oversized", "Content-Length: 99999999999\r\n\r\n", "null", int(jsonrpc2.ParseError)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.sendRaw(tc.raw)
			r := c.read()
			if r.Error == nil || r.Error.Code != tc.code || string(r.ID) != tc.id {
				t.Fatalf("got id %s error %+v, want id %s code %d", r.ID, r.Error, tc.id, tc.code)
			}
			if strings.HasSuffix(tc.name, "then a request") {
				// The request is still read (and answered).
				r := c.read()
				if string(r.ID) != "6" || r.Error != nil {
					t.Fatalf("the request after a garbage header: got %+v", r)
				}
			}
			// The server still answers.
			c.send(`{"jsonrpc":"2.0","id":99,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///nowhere/x.go"}}}`)
			if r := c.read(); r.Error != nil || string(r.ID) != "99" {
				t.Fatalf("after %s: id %s error %+v", tc.name, r.ID, r.Error)
			}
		})
	}
	c.t = t
	// Bad params of a known method get InvalidParams.
	c.send(`{"jsonrpc":"2.0","id":5,"method":"textDocument/codeLens","params":{"textDocument":{"uri":42}}}`)
	if r := c.read(); r.Error == nil || r.Error.Code != int(jsonrpc2.InvalidParams) {
		t.Fatalf("bad params: %+v", r.Error)
	}
}

func TestUnknownMethodAndLifecycle(t *testing.T) {
	c := newRawClient(t, nil)
	c.send(`{"jsonrpc":"2.0","id":1,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///x.go"}}}`)
	if r := c.read(); r.Error == nil || r.Error.Code != int(jsonrpc2.ServerNotInitialized) {
		t.Fatalf("request before initialize: %+v", r.Error)
	}
	c.initialize()
	c.send(`{"jsonrpc":"2.0","id":2,"method":"textDocument/linkedEditingRange","params":{}}`)
	if r := c.read(); r.Error == nil || r.Error.Code != int(jsonrpc2.MethodNotFound) {
		t.Fatalf("unknown method: %+v", r.Error)
	}
	// Unknown notifications are ignored.
	c.send(`{"jsonrpc":"2.0","method":"$/unknown","params":{}}`)
	c.send(`{"jsonrpc":"2.0","method":"custom/notification"}`)
	c.send(`{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"capabilities":{}}}`)
	if r := c.read(); r.Error == nil || string(r.ID) != "3" {
		t.Fatalf("second initialize: %+v", r)
	}
	c.send(`{"jsonrpc":"2.0","id":4,"method":"shutdown"}`)
	if r := c.read(); r.Error != nil || string(r.ID) != "4" {
		t.Fatalf("shutdown: %+v", r.Error)
	}
	c.send(`{"jsonrpc":"2.0","id":5,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///x.go"}}}`)
	if r := c.read(); r.Error == nil || r.Error.Code != int(jsonrpc2.InvalidRequest) {
		t.Fatalf("request after shutdown: %+v", r.Error)
	}
	c.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("exit after shutdown: %v", err)
		}
		c.done <- nil
	case <-time.After(waitLimit):
		t.Fatal("the server did not exit")
	}
}

// TestPanicInHandler checks that a panicking handler is answered with an
// error and the server keeps serving.
func TestPanicInHandler(t *testing.T) {
	c := newRawClient(t, func(s *Server) {
		s.methods["modls/test.panic"] = method{handle: func(context.Context, *Server, jsonrpc2.RawMessage) (any, error) {
			var m map[string]int
			m["boom"]++ // a nil map: panics
			return nil, nil
		}}
		s.methods["modls/test.panicNotification"] = method{ordered: true, handle: func(context.Context, *Server, jsonrpc2.RawMessage) (any, error) {
			panic("notification handler")
		}}
	})
	c.initialize()
	c.send(`{"jsonrpc":"2.0","method":"modls/test.panicNotification"}`)
	c.send(`{"jsonrpc":"2.0","id":2,"method":"modls/test.panic"}`)
	r := c.read()
	if r.Error == nil || r.Error.Code != int(jsonrpc2.InternalError) || string(r.ID) != "2" {
		t.Fatalf("panicking handler: %+v", r)
	}
	c.send(`{"jsonrpc":"2.0","id":3,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///x.go"}}}`)
	if r := c.read(); r.Error != nil || string(r.ID) != "3" {
		t.Fatalf("after a panic: %+v", r)
	}
}

// TestCancelRequest checks that $/cancelRequest cancels a request in
// flight, which then answers RequestCancelled.
func TestCancelRequest(t *testing.T) {
	started := make(chan struct{})
	c := newRawClient(t, func(s *Server) {
		s.methods["modls/test.block"] = method{handle: func(ctx context.Context, _ *Server, _ jsonrpc2.RawMessage) (any, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}}
	})
	c.initialize()
	c.send(`{"jsonrpc":"2.0","id":"slow","method":"modls/test.block"}`)
	select {
	case <-started:
	case <-time.After(waitLimit):
		t.Fatal("the blocking request did not start")
	}
	// Other requests are served meanwhile.
	c.send(`{"jsonrpc":"2.0","id":8,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///x.go"}}}`)
	if r := c.read(); string(r.ID) != "8" || r.Error != nil {
		t.Fatalf("a request beside a blocked one: %+v", r)
	}
	c.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow"}}`)
	r := c.read()
	if string(r.ID) != `"slow"` || r.Error == nil || r.Error.Code != int(protocol.CodeRequestCancelled) {
		t.Fatalf("cancelled request: %+v", r)
	}
}

// TestInitializeAdvertises checks, for clients that take pushed and
// pulled diagnostics in either encoding, the negotiated encoding and the
// capabilities that depend on the client's, in the initialize result the
// client received.
func TestInitializeAdvertises(t *testing.T) {
	dir := writeWorkspace(t, []txtar.File{{Name: "x/x.go", Data: []byte("package x\n")}})
	for _, tc := range []struct {
		name string
		cfg  editorConfig
		enc  string
		pull bool
	}{
		{"push utf-16", editorConfig{}, "utf-16", false},
		{"push utf-8", editorConfig{utf8: true}, "utf-8", false},
		{"pull utf-16", editorConfig{pull: true}, "utf-16", true},
		{"pull utf-8", editorConfig{utf8: true, pull: true}, "utf-8", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEditor(t, dir, tc.cfg, Options{}, nil)
			var res protocol.InitializeResult
			if err := e.tryCall("initialize", e.initializeParams(), &res); err == nil {
				t.Fatal("a second initialize succeeded")
			}
			var got struct {
				Capabilities struct {
					PositionEncoding   string          `json:"positionEncoding"`
					TextDocumentSync   json.RawMessage `json:"textDocumentSync"`
					CodeActionProvider struct {
						CodeActionKinds []string `json:"codeActionKinds"`
					} `json:"codeActionProvider"`
					CodeLensProvider       *json.RawMessage `json:"codeLensProvider"`
					ExecuteCommandProvider struct {
						Commands []string `json:"commands"`
					} `json:"executeCommandProvider"`
					DiagnosticProvider *struct {
						Identifier            string `json:"identifier"`
						InterFileDependencies bool   `json:"interFileDependencies"`
						WorkspaceDiagnostics  bool   `json:"workspaceDiagnostics"`
					} `json:"diagnosticProvider"`
				} `json:"capabilities"`
				ServerInfo struct{ Name string } `json:"serverInfo"`
			}
			if err := json.Unmarshal(e.initResult, &got); err != nil {
				t.Fatalf("initialize result %s: %v", e.initResult, err)
			}
			c := got.Capabilities
			if c.PositionEncoding != tc.enc {
				t.Errorf("positionEncoding %q, want %q", c.PositionEncoding, tc.enc)
			}
			if !strings.Contains(string(c.TextDocumentSync), `"change":2`) {
				t.Errorf("textDocumentSync %s is not incremental", c.TextDocumentSync)
			}
			if !slices.Contains(c.CodeActionProvider.CodeActionKinds, "source.fixAll.modls") || !slices.Contains(c.CodeActionProvider.CodeActionKinds, "quickfix") {
				t.Errorf("code action kinds %q", c.CodeActionProvider.CodeActionKinds)
			}
			if c.CodeLensProvider == nil {
				t.Error("no codeLensProvider")
			}
			if !slices.Equal(c.ExecuteCommandProvider.Commands, commandNames()) {
				t.Errorf("commands %q, want %q", c.ExecuteCommandProvider.Commands, commandNames())
			}
			switch d := c.DiagnosticProvider; {
			case tc.pull && d == nil:
				t.Errorf("no diagnosticProvider for a client with pull diagnostics: %s", e.initResult)
			case tc.pull && (d.Identifier != "modls" || !d.InterFileDependencies || !d.WorkspaceDiagnostics):
				t.Errorf("diagnosticProvider %+v, want identifier modls, inter-file dependencies, workspace diagnostics", *d)
			case !tc.pull && d != nil:
				t.Errorf("diagnosticProvider advertised to a client without pull diagnostics: %s", e.initResult)
			}
			if got.ServerInfo.Name != "modls" {
				t.Errorf("serverInfo %+v", got.ServerInfo)
			}
			// What the server will do follows what it advertised.
			if caps := e.srv.caps; caps.enc.String() != tc.enc || caps.pull != tc.pull {
				t.Errorf("the server uses %s positions and pull=%v", caps.enc, caps.pull)
			}
		})
	}
}

// TestProgressCancel checks that a command reports $/progress and that
// cancelling the progress in the editor cancels the command.
func TestProgressCancel(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	running := make(chan struct{})
	blocking := func(ctx context.Context, req IntegrationRequest, progress func(IntegrationCheck)) (*IntegrationResult, error) {
		progress(IntegrationCheck{Name: "module loads", Status: "pass"})
		close(running)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	e := newEditor(t, dir, editorConfig{}, Options{Integration: blocking}, nil)
	done := make(chan error, 1)
	go func() {
		done <- e.tryCall("workspace/executeCommand", map[string]any{
			"command":   cmdIntegration,
			"arguments": []any{map[string]any{"dir": e.path("modules/standard/shop")}},
		}, nil)
	}()
	select {
	case <-running:
	case <-time.After(waitLimit):
		t.Fatal("the integration run did not start")
	}
	var token protocol.ProgressToken
	e.await("a progress token", func() bool {
		if len(e.tokens) > 0 {
			token = e.tokens[0]
		}
		return token != nil && len(e.progress) >= 2
	})
	e.notify("window/workDoneProgress/cancel", map[string]any{"token": token})
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cancelled") {
			t.Fatalf("cancelled command answered %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("the command was not cancelled")
	}
	e.await("the end of the progress", func() bool {
		return strings.HasPrefix(e.progress[len(e.progress)-1], "end")
	})
	if e.progress[0] != "begin modls: run integration (sandbox) shop" || e.progress[1] != "report pass module loads" {
		t.Fatalf("progress %q", e.progress)
	}
}

// TestFramingErrorsResynchronise sends frames whose header is wrong in
// every way a broken client's can be, each followed by a body, then a
// request: each broken frame is answered once (a parse error, id null),
// the reader goes on from the next Content-Length header, and the request
// after it is answered. Then shutdown and exit, after garbage, still end
// the server cleanly.
func TestFramingErrorsResynchronise(t *testing.T) {
	c := newRawClient(t, nil)
	c.initialize()
	body := `{"jsonrpc":"2.0","id":50,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///nowhere/x.go"}}}`
	for _, tc := range []struct{ name, raw string }{
		{"no Content-Length", "Content-Type: application/vscode-jsonrpc\r\n\r\n" + body},
		{"non-numeric Content-Length", "Content-Length: lots\r\n\r\n" + body},
		{"negative Content-Length", "Content-Length: -20\r\n\r\n" + body},
		{"Content-Length too small", "Content-Length: 10\r\n\r\n" + body},
		{"Content-Length too large", "Content-Length: 5000\r\n\r\n" + body},
		{"huge Content-Length", "Content-Length: 99999999999\r\n\r\n" + body},
		{"empty body", "Content-Length: 0\r\n\r\n" + body},
		{"garbage before a header", "\x00\xffnot a header" + frame(body)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.sendRaw(tc.raw)
			c.send(`{"jsonrpc":"2.0","id":99,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///nowhere/x.go"}}}`)
			r := c.read()
			if r.Error == nil || r.Error.Code != int(jsonrpc2.ParseError) || string(r.ID) != "null" {
				t.Fatalf("first answer: id %s error %+v, want a parse error for id null", r.ID, r.Error)
			}
			want := []string{"99"}
			if strings.HasPrefix(tc.name, "garbage") {
				want = []string{"50", "99"} // the frame after the garbage is read
			}
			var got []string
			for range want {
				r := c.read()
				if r.Error != nil {
					t.Fatalf("after the first answer: id %s error %+v, want results only (one answer for the broken frame)", r.ID, r.Error)
				}
				got = append(got, string(r.ID))
			}
			slices.Sort(got) // the requests run concurrently
			if !slices.Equal(got, want) {
				t.Fatalf("answered %v, want %v", got, want)
			}
		})
	}
	c.t = t
	c.sendRaw("Content-Length: nope\r\n\r\n")
	c.send(`{"jsonrpc":"2.0","id":7,"method":"shutdown"}`)
	if r := c.read(); r.Error == nil || string(r.ID) != "null" {
		t.Fatalf("garbage before shutdown: %+v", r)
	}
	if r := c.read(); r.Error != nil || string(r.ID) != "7" {
		t.Fatalf("shutdown after garbage: id %s error %+v", r.ID, r.Error)
	}
	c.sendRaw("Content-Length: 3\r\n\r\n")
	c.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("exit after shutdown and garbage: %v", err)
		}
		c.done <- nil
	case <-time.After(waitLimit):
		t.Fatal("the server did not exit")
	}
}

// TestFramingLostExits ends the input while the reader looks for a header
// after a framing error: the server logs why and ends with an error (the
// command exits non-zero), rather than waiting.
func TestFramingLostExits(t *testing.T) {
	for _, tc := range []struct{ name, raw, reason string }{
		{"after a bad Content-Length", "Content-Length: lots\r\n\r\n{}", "framing error (bad Content-Length"},
		{"inside a body", "Content-Length: 400\r\n\r\n{}", "the input ended inside a message"},
		{"inside a header", "Content-Length: 4", "the input ended inside a message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			var log logBuffer
			s := newServer(testOptions(t, Options{Log: &log}))
			done := make(chan error, 1)
			go func() { done <- s.serve(context.Background(), a) }()
			b.SetWriteDeadline(time.Now().Add(waitLimit))
			if _, err := io.WriteString(b, frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)+tc.raw); err != nil {
				t.Fatal(err)
			}
			b.Close()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.reason) {
					t.Fatalf("the server ended with %v, want an error saying %q", err, tc.reason)
				}
				if !strings.Contains(log.String(), tc.reason) || !strings.Contains(log.String(), "exiting") {
					t.Fatalf("the log does not say why the server exits:\n%s", log.String())
				}
			case <-time.After(waitLimit):
				t.Fatal("the server did not exit")
			}
		})
	}
}

// logBuffer is a log the server writes and the test reads.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestOutgoingQueueCoalesces sends, to a client that does not read, a
// large message, then 1,000 publications for each of two files and 1,000
// progress reports between a begin and an end: once the client reads, it
// gets, after the message the writer was blocked on and the large one,
// each file's newest diagnostics, the begin, the newest report and the
// end, in that order.
func TestOutgoingQueueCoalesces(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	st := newStream(a, nil)
	defer st.Close()
	conn := jsonrpc2.NewConn(st, jsonrpc2.WithCodec(codec{}))
	ctx := context.Background()
	notify := func(method string, params any) {
		t.Helper()
		if err := conn.Notify(ctx, method, params); err != nil {
			t.Fatal(err)
		}
	}
	progress := func(kind string, n int) {
		notify("$/progress", map[string]any{"token": "run", "value": map[string]any{"kind": kind, "message": strconv.Itoa(n)}})
	}
	notify("window/logMessage", map[string]any{"type": 3, "message": "first"}) // the writer blocks on it
	// A client behind by more than progressBehind gets only the newest
	// progress report; one that keeps up gets them all.
	notify("window/logMessage", map[string]any{"type": 3, "message": strings.Repeat("x", progressBehind)})
	progress("begin", 0)
	for i := 1; i <= 1000; i++ {
		for _, uri := range []string{"file:///a.go", "file:///b.go"} {
			notify("textDocument/publishDiagnostics", map[string]any{"uri": uri, "version": i, "diagnostics": []any{}})
		}
		progress("report", i)
	}
	progress("end", 1001)
	st.mu.Lock()
	queued := len(st.queue)
	st.mu.Unlock()
	if queued > 7 {
		t.Fatalf("%d messages queued for a client that does not read", queued)
	}
	r := newFrameReader(b)
	var got []string
	for range 7 {
		b.SetReadDeadline(time.Now().Add(waitLimit))
		body, bad, err := r.next()
		if err != nil || bad != nil {
			t.Fatalf("reading: %v %v", err, bad)
		}
		var m struct {
			Method string
			Params struct {
				URI     string
				Version int
				Value   struct{ Kind, Message string }
			}
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s%d%s%s", m.Method, m.Params.URI, m.Params.Version, m.Params.Value.Kind, m.Params.Value.Message))
	}
	want := []string{
		"window/logMessage 0",
		"window/logMessage 0",
		"$/progress 0begin0",
		"textDocument/publishDiagnostics file:///a.go1000",
		"textDocument/publishDiagnostics file:///b.go1000",
		"$/progress 0report1000",
		"$/progress 0end1001",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOutgoingQueueBounded queues answers (which cannot be coalesced) to
// a client that does not read until the queue is full: the stream ends,
// saying why, instead of growing.
func TestOutgoingQueueBounded(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	st := newStream(a, nil)
	defer st.Close()
	payload := jsonrpc2.RawMessage(`"` + strings.Repeat("x", 1<<20) + `"`)
	var err error
	for i := 0; i < 2*maxQueued>>20 && err == nil; i++ {
		_, err = st.Write(context.Background(), jsonrpc2.NewResponse(jsonrpc2.NewNumberID(int64(i)), payload, nil))
	}
	if !errors.Is(err, errNotReading) {
		t.Fatalf("writing %d MiB to a client that does not read: %v", 2*maxQueued>>20, err)
	}
	select {
	case <-st.ended:
	default:
		t.Fatal("the stream did not end")
	}
	if got := st.err(); !errors.Is(got, errNotReading) {
		t.Fatalf("the stream ended with %v", got)
	}
}
