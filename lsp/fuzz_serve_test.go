package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// reactionLimit is how soon after the end of a session's first frames a
// server must have answered initialize, or ended saying why.
const reactionLimit = time.Second

// FuzzServeAfterGarbage sends a real server, over a pipe, the input's
// bytes (garbage, headers included) and then the start of a session:
// initialize, initialized and the didOpen of a manifest.json whose
// version is not semantic. Within a second of the session's last byte
// being read, the server must either have answered the initialize or have
// ended with an error that says why; if it answered, the diagnostics of
// the manifest (its MOD012 finding) must be published. A garbage holding
// a shutdown of its own makes the server refuse the initialize, which is
// the other acceptable answer.
func FuzzServeAfterGarbage(f *testing.F) {
	for _, garbage := range []string{
		"",
		"Content-Type: application/vscode-jsonrpc\r\n\r\n{}",              // no Content-Length
		"Content-Length: -20\r\n\r\n{\"jsonrpc\":\"2.0\"}",                // negative
		"Content-Length: lots\r\n\r\n{\"jsonrpc\":\"2.0\"}",               // not a number
		"Content-Length: 3\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}", // too small
		"Content-Length: 99999999999\r\n\r\n",                             // huge
		"Content-Length: 5000\r\n\r\n{",                                   // more than comes
		"\x00\xffgarbage before a header",
		strings.Repeat("x", maxHeaderLine+10) + "\r\n",
		"Content-Length: 12",
		"Content-Length: 2\r\n\r\n{}Content-Length: 1\r\n\r\n[",
	} {
		f.Add([]byte(garbage))
	}
	var files []txtar.File
	for _, file := range shopFiles(f) {
		if strings.HasSuffix(file.Name, "manifest.json") {
			file.Data = bytes.Replace(file.Data, []byte(`"1.0.0"`), []byte(`"one"`), 1)
		}
		files = append(files, file)
	}
	dir := writeWorkspace(f, files)
	manifest := filepath.Join(dir, "modules/standard/shop/manifest.json")
	text, err := os.ReadFile(manifest)
	if err != nil {
		f.Fatal(err)
	}
	cache := cacheCopy(f)
	session := frame(`{"jsonrpc":"2.0","id":"fuzz-init","method":"initialize","params":{"processId":null,"rootUri":"`+uriOf(dir).String()+`","capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	open, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{
		"textDocument": map[string]any{"uri": uriOf(manifest).String(), "languageId": "json", "version": 1, "text": string(text)},
	}})
	session += frame(string(open))

	f.Fuzz(func(t *testing.T, garbage []byte) {
		var log logBuffer
		s := newServer(Options{Log: &log, CachePath: cache})
		a, b := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- s.serve(context.Background(), a) }()
		defer func() {
			b.Close()
			select {
			case <-done:
			case <-time.After(waitLimit):
				t.Errorf("the server did not end when its input closed")
			}
		}()
		written := make(chan error, 1)
		go func() {
			_, err := b.Write(append(append([]byte(nil), garbage...), session...))
			written <- err
		}()
		// What the server sends: the answer to initialize, the
		// manifest's diagnostics.
		answered := make(chan string, 1)
		published := make(chan string, 1)
		go func() {
			r := newFrameReader(b)
			for {
				body, _, err := r.next()
				if err != nil {
					return
				}
				var m struct {
					ID     json.RawMessage
					Method string
					Error  *struct{ Message string }
					Params struct {
						URI         string
						Diagnostics []struct{ Message string }
					}
				}
				if json.Unmarshal(body, &m) != nil {
					continue
				}
				switch {
				case string(m.ID) == `"fuzz-init"`:
					what := "result"
					if m.Error != nil {
						what = "error: " + m.Error.Message
					}
					select {
					case answered <- what:
					default:
					}
				case m.Method == "textDocument/publishDiagnostics" && m.Params.URI == uriOf(manifest).String():
					var msgs []string
					for _, d := range m.Params.Diagnostics {
						msgs = append(msgs, d.Message)
					}
					if got := strings.Join(msgs, "; "); strings.Contains(got, `version "one" is not semantic`) {
						select {
						case published <- got:
						default:
						}
					}
				}
			}
		}()
		exited := func(err error) {
			if err == nil || err.Error() == "" {
				t.Fatalf("after %q, the server ended without saying why (%v)", garbage, err)
			}
		}
		select {
		case err := <-written:
			if err != nil && !errors.Is(err, io.ErrClosedPipe) {
				t.Fatalf("writing: %v", err)
			}
		case err := <-done:
			exited(err) // before it read the session (the garbage had an exit)
			done <- err
			return
		case <-time.After(waitLimit):
			t.Fatalf("after %q, the server did not read the session", garbage)
		}
		var answer string
		select {
		case answer = <-answered:
		case err := <-done:
			exited(err)
			done <- err
			return
		case <-time.After(reactionLimit):
			t.Fatalf("after %q, the server neither answered initialize nor ended within %v; log:\n%s", garbage, reactionLimit, log.String())
		}
		if strings.Contains(answer, "after shutdown") {
			return // the garbage held a shutdown
		}
		select {
		case <-published:
		case err := <-done:
			exited(err)
			done <- err
		case <-time.After(waitLimit):
			t.Fatalf("after %q, initialize answered %s but the manifest's finding was not published; log:\n%s", garbage, answer, log.String())
		}
	})
}
