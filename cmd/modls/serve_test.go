package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestServeCommand_Run(t *testing.T) {
	frame := func(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
	session := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`) +
		frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`) +
		frame(`{"jsonrpc":"2.0","method":"exit"}`)
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string // in stdout
	}{
		{"a session", []string{"serve"}, session, 0, `"name":"modls"`},
		{"an argument", []string{"serve", "x"}, "", 2, ""},
		{"help", []string{"serve", "-h"}, "", 0, ""},
		{"the client goes away", []string{"serve"}, frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`), 0, `"positionEncoding":"utf-16"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, env{Stdin: strings.NewReader(tc.stdin), Stdout: &stdout, Stderr: &stderr})
			if code != tc.code || !strings.Contains(stdout.String(), tc.out) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}
}
