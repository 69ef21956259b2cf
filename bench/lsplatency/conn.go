package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// conn is a language client over a server process's stdin and stdout:
// JSON-RPC 2.0 with LSP's Content-Length framing. It answers the server's
// requests (workspace/configuration from settings, everything else with
// null) and hands the publishDiagnostics of one URI to pubs, stamped with
// the time they were read.
type conn struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tailBuffer

	writeMu sync.Mutex

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan response
	watch   string

	// settings answers workspace/configuration, section by section.
	settings map[string]any

	pubs    chan publication
	last    atomic.Int64  // when the last message came, in Unix nanoseconds
	done    chan struct{} // closed when the reader stops
	readErr error

	shutDown bool // close has run
}

type response struct {
	Result json.RawMessage
	Error  *rpcError
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

// publication is one textDocument/publishDiagnostics.
type publication struct {
	URI         string       `json:"uri"`
	Version     *int         `json:"version"`
	Diagnostics []diagnostic `json:"diagnostics"`
	// Raw are the diagnostics as sent, to hand back in a codeAction's
	// context.
	Raw []json.RawMessage `json:"-"`
	At  time.Time         `json:"-"`
}

type diagnostic struct {
	Message string `json:"message"`
	Source  string `json:"source"`
	Code    any    `json:"code"`
	Range   struct {
		Start struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
}

// start runs argv in dir with env added to the environment.
func start(argv []string, dir string, env []string, settings map[string]any) (*conn, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &conn{
		cmd:      cmd,
		stdin:    stdin,
		stderr:   &tailBuffer{max: 4096},
		pending:  map[int64]chan response{},
		settings: settings,
		pubs:     make(chan publication, 4096),
		done:     make(chan struct{}),
	}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", strings.Join(argv, " "), err)
	}
	go c.read(bufio.NewReaderSize(stdout, 1<<16))
	return c, nil
}

// watchURI selects the URI whose diagnostics go to pubs.
func (c *conn) watchURI(uri string) {
	c.mu.Lock()
	c.watch = uri
	c.mu.Unlock()
}

type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

func (c *conn) read(r *bufio.Reader) {
	defer close(c.done)
	tp := textproto.NewReader(r)
	for {
		h, err := tp.ReadMIMEHeader()
		if err != nil {
			c.readErr = err
			return
		}
		n, err := strconv.Atoi(h.Get("Content-Length"))
		if err != nil {
			c.readErr = fmt.Errorf("bad Content-Length %q", h.Get("Content-Length"))
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			c.readErr = err
			return
		}
		at := time.Now()
		c.last.Store(at.UnixNano())
		var m message
		if err := json.Unmarshal(body, &m); err != nil {
			c.readErr = fmt.Errorf("bad message %q: %w", body, err)
			return
		}
		switch {
		case m.Method != "" && len(m.ID) > 0:
			c.answer(m)
		case m.Method == "textDocument/publishDiagnostics":
			var p publication
			var raw struct {
				Diagnostics []json.RawMessage `json:"diagnostics"`
			}
			if err := json.Unmarshal(m.Params, &p); err != nil {
				c.readErr = err
				return
			}
			if err := json.Unmarshal(m.Params, &raw); err != nil {
				c.readErr = err
				return
			}
			p.Raw = raw.Diagnostics
			c.mu.Lock()
			watched := p.URI == c.watch
			c.mu.Unlock()
			if watched {
				p.At = at
				c.pubs <- p
			}
		case m.Method == "":
			id, err := strconv.ParseInt(string(m.ID), 10, 64)
			if err != nil {
				continue
			}
			c.mu.Lock()
			ch := c.pending[id]
			delete(c.pending, id)
			c.mu.Unlock()
			if ch != nil {
				ch <- response{m.Result, m.Error}
			}
		}
	}
}

// answer replies to a request from the server.
func (c *conn) answer(m message) {
	var result any
	if m.Method == "workspace/configuration" {
		var p struct {
			Items []struct {
				Section string `json:"section"`
			} `json:"items"`
		}
		_ = json.Unmarshal(m.Params, &p)
		out := make([]any, len(p.Items))
		for i, it := range p.Items {
			if s, ok := c.settings[it.Section]; ok {
				out[i] = s
			}
		}
		result = out
	}
	res, _ := json.Marshal(result)
	_ = c.write(message{JSONRPC: "2.0", ID: m.ID, Result: res})
}

func (c *conn) write(m message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err = c.stdin.Write(b.Bytes())
	return err
}

// notify sends a notification.
func (c *conn) notify(method string, params any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return c.write(message{JSONRPC: "2.0", Method: method, Params: p})
}

// call sends a request and waits for its response, decoded into result.
func (c *conn) call(ctx context.Context, method string, params, result any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	ch := make(chan response, 1)
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.write(message{JSONRPC: "2.0", ID: json.RawMessage(strconv.FormatInt(id, 10)), Method: method, Params: p}); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("%s: %w", method, r.Error)
		}
		if result != nil && len(r.Result) > 0 {
			return json.Unmarshal(r.Result, result)
		}
		return nil
	case <-c.done:
		return fmt.Errorf("%s: the server closed its output (%v); stderr: %s", method, c.readErr, c.stderr.String())
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// next is the next publication for the watched URI.
func (c *conn) next(ctx context.Context) (publication, error) {
	select {
	case p := <-c.pubs:
		return p, nil
	case <-c.done:
		// Publications read before the end still count.
		select {
		case p := <-c.pubs:
			return p, nil
		default:
		}
		return publication{}, fmt.Errorf("the server closed its output (%v); stderr: %s", c.readErr, c.stderr.String())
	case <-ctx.Done():
		return publication{}, ctx.Err()
	}
}

// quiet waits until the server has sent nothing for settle (or limit has
// passed), dropping the publications it sends meanwhile: the work that
// opening a file or starting up set off is done.
func (c *conn) quiet(ctx context.Context, settle, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(settle / 10)
	defer tick.Stop()
	for {
		select {
		case <-c.pubs:
		case <-tick.C:
			if time.Since(time.Unix(0, c.last.Load())) >= settle || time.Now().After(deadline) {
				return nil
			}
		case <-c.done:
			return fmt.Errorf("the server closed its output (%v); stderr: %s", c.readErr, c.stderr.String())
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// peakRSS is the server process's peak resident set (VmHWM), in KiB.
func (c *conn) peakRSS() (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// close shuts the server down (shutdown, exit) and waits for it, killing it
// after a grace period.
func (c *conn) close(timeout time.Duration) error {
	c.shutDown = true
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := c.call(ctx, "shutdown", nil, nil)
	_ = c.notify("exit", nil)
	_ = c.stdin.Close()
	waited := make(chan error, 1)
	go func() { waited <- c.cmd.Wait() }()
	select {
	case werr := <-waited:
		if err == nil {
			err = werr
		}
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-waited
		if err == nil {
			err = errors.New("the server did not exit within 10 s of exit; killed")
		}
	}
	return err
}

// abandon kills the server unless close has shut it down: deferred by a
// session, it ends the server whatever way the session returns.
func (c *conn) abandon() {
	if !c.shutDown {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
