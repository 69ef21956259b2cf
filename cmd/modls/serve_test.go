package main

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/modls/modls/checker/cachetest"
)

func TestServeCommand_Run(t *testing.T) {
	cachetest.Use(t)
	// serve sets the process's soft memory limit; the test process keeps
	// its own.
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(limit) })
	frame := func(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
	session := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`) +
		frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) +
		frame(`{"jsonrpc":"2.0","method":"exit"}`)
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout []string // each in stdout; none means stdout must be empty
		stderr []string // each in stderr
	}{
		{"a session", []string{"serve"}, session, 0, []string{`"id":1`, `"name":"modls"`, `"id":2`}, nil},
		{"an argument", []string{"serve", "x"}, "", 2, nil, []string{"modls serve: serve takes no arguments\n"}},
		{"an unknown flag", []string{"serve", "--port", "1"}, "", 2, nil, []string{"modls serve: flag provided but not defined: -port\nrun 'modls serve -h' for usage\n"}},
		{"help", []string{"serve", "-h"}, "", 0, []string{"usage: modls serve [flags]", "Language Server Protocol", "-logfile FILE", "Examples:", "modls serve --logfile"}, nil},
		{"help command", []string{"help", "serve"}, "", 0, []string{"usage: modls serve [flags]", "-logfile FILE"}, nil},
		{"garbage, then a session", []string{"serve"}, "Content-Length: lots\r\n\r\n{}" + session, 0, []string{`"code":-32700`, `"id":1`, `"id":2`}, nil},
		{"garbage, then the end", []string{"serve"}, session[:len(session)-len(frame(`{"jsonrpc":"2.0","method":"exit"}`))] + "Content-Length: -1\r\n\r\n{}", 1, []string{`"code":-32700`, `"id":2`}, []string{"the input ended before a Content-Length header came after a framing error (bad Content-Length \"-1\")", "exiting"}},
		{"exit without shutdown", []string{"serve"}, frame(`{"jsonrpc":"2.0","method":"exit"}`), 1, nil, []string{"exit without shutdown"}},
		{"the client goes away", []string{"serve"}, frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`), 0, []string{`"positionEncoding":"utf-16"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, env{Stdin: strings.NewReader(tc.stdin), Stdout: &stdout, Stderr: &stderr})
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q", s)
				}
			}
			if len(tc.stdout) == 0 && stdout.Len() != 0 {
				t.Errorf("stdout is not empty")
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q", s)
				}
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			}
		})
	}
}
