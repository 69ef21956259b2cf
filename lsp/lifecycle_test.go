package lsp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// TestLifecycle checks every rule of LSP 3.18's lifecycle, each on a
// server of its own: what comes before initialize, a second initialize,
// what comes after shutdown, and how exit ends the server.
func TestLifecycle(t *testing.T) {
	const (
		codeLens  = `{"jsonrpc":"2.0","id":%d,"method":"textDocument/codeLens","params":{"textDocument":{"uri":"file:///nowhere/x.go"}}}`
		initReq   = `{"jsonrpc":"2.0","id":%d,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`
		shutdown  = `{"jsonrpc":"2.0","id":%d,"method":"shutdown"}`
		exitNote  = `{"jsonrpc":"2.0","method":"exit"}`
		didOpen   = `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///nowhere/x.go","languageId":"go","version":1,"text":"package x\n"}}}`
		unknownRq = `{"jsonrpc":"2.0","id":%d,"method":"custom/request"}`
	)
	req := func(format string, id int) string { return fmt.Sprintf(format, id) }
	expectError := func(t *testing.T, c *rawClient, id int, code jsonrpc2.Code) {
		t.Helper()
		r := c.read()
		if string(r.ID) != strconv.Itoa(id) || r.Error == nil || r.Error.Code != int(code) {
			t.Fatalf("request %d: id %s error %+v, want error %d", id, r.ID, r.Error, code)
		}
	}
	expectResult := func(t *testing.T, c *rawClient, id int) {
		t.Helper()
		r := c.read()
		if string(r.ID) != strconv.Itoa(id) || r.Error != nil {
			t.Fatalf("request %d: id %s error %+v, want a result", id, r.ID, r.Error)
		}
	}
	// exited waits for the server to end and returns its error.
	exited := func(t *testing.T, c *rawClient) error {
		t.Helper()
		select {
		case err := <-c.done:
			c.done <- err
			return err
		case <-time.After(waitLimit):
			t.Fatal("the server did not exit")
			return nil
		}
	}

	t.Run("requests before initialize", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.send(req(codeLens, 1))
		expectError(t, c, 1, jsonrpc2.ServerNotInitialized)
		c.send(req(unknownRq, 2))
		expectError(t, c, 2, jsonrpc2.ServerNotInitialized)
	})
	t.Run("notifications before initialize are dropped", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.send(didOpen)
		c.send(`{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"verbose"}}`)
		c.send(req(initReq, 1))
		expectResult(t, c, 1)
		c.send(req(codeLens, 2)) // after didOpen on the read loop
		expectResult(t, c, 2)
		c.srv.mu.Lock()
		n := len(c.srv.docs)
		c.srv.mu.Unlock()
		if n != 0 {
			t.Fatalf("a didOpen before initialize opened %d documents", n)
		}
	})
	t.Run("shutdown before initialize is refused", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.send(req(shutdown, 1))
		expectError(t, c, 1, jsonrpc2.ServerNotInitialized)
		c.send(req(initReq, 2))
		expectResult(t, c, 2)
		c.send(req(codeLens, 3))
		expectResult(t, c, 3)
	})
	t.Run("a second initialize", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.send(req(initReq, 1))
		expectResult(t, c, 1)
		c.send(req(initReq, 2))
		expectError(t, c, 2, jsonrpc2.InvalidRequest)
		c.send(req(codeLens, 3))
		expectResult(t, c, 3)
	})
	t.Run("requests after shutdown", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.initialize()
		c.send(req(shutdown, 2))
		expectResult(t, c, 2)
		for i, r := range []string{codeLens, unknownRq, initReq, shutdown} {
			c.send(req(r, 10+i))
			expectError(t, c, 10+i, jsonrpc2.InvalidRequest)
		}
		c.send(exitNote)
		if err := exited(t, c); err != nil {
			t.Fatalf("exit after shutdown: %v", err)
		}
	})
	t.Run("exit without shutdown", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.initialize()
		c.send(exitNote)
		if err := exited(t, c); err == nil || !strings.Contains(err.Error(), "exit without shutdown") {
			t.Fatalf("exit without shutdown ended the server with %v", err)
		}
	})
	t.Run("exit before initialize", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.send(exitNote)
		if err := exited(t, c); err == nil {
			t.Fatal("exit before initialize ended the server without an error")
		}
	})
}

// TestNothingPublishedAfterShutdown edits a file with findings after
// shutdown: the server handles the change (it is still connected) but
// publishes nothing, and exit then ends it cleanly.
func TestNothingPublishedAfterShutdown(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	if len(e.diagnostics(file)) == 0 {
		t.Fatal("no findings to begin with")
	}
	e.settle()
	e.mu.Lock()
	before := e.publishCount
	e.mu.Unlock()
	e.call("shutdown", nil, nil)
	e.replace(file, "package shop", "package shop\n\nfunc Broken() { undefined() }")
	if err := e.tryCall("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": uriOf(e.path(file)).String()}}, nil); err == nil || !strings.Contains(err.Error(), "after shutdown") {
		t.Fatalf("a request after shutdown answered %v", err)
	}
	// The refused request came after the change on the read loop; the
	// checks it could have started are done, and what they would have
	// sent came before the second refusal.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := e.srv.sched.waitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.tryCall("shutdown", nil, nil); err == nil {
		t.Fatal("a second shutdown was accepted")
	}
	e.mu.Lock()
	after := e.publishCount
	e.mu.Unlock()
	if after != before {
		t.Fatalf("%d publications after shutdown", after-before)
	}
}
