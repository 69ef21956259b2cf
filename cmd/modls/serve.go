package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/modls/modls/lsp"
)

// ServeCommand runs the language server on stdin and stdout: see SPEC §4.
type ServeCommand struct{ env env }

const serveUsage = `usage: modls serve [flags]

Runs the modls language server, speaking the Language Server Protocol on
standard input and output. Editors start it; it is not meant to be run by
hand.

Flags:
`

const serveExamples = `
Examples:
	modls serve                          # what an editor runs
	modls serve --logfile /tmp/modls.log # keep a log of requests that failed, runs and panics
`

// Run parses the flags and serves until the client exits.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	logfile := fset.String("logfile", "", "append the server's log to `FILE` (default: standard error)")
	if help, err := parseFlags(c.env, "serve", fset, args, func(w io.Writer) {
		fmt.Fprint(w, serveUsage)
		printDefaults(w, fset)
		fmt.Fprint(w, serveExamples)
	}); help || err != nil {
		return err
	}
	// An editor keeps the server for hours: keep its heap near what the
	// work needs rather than letting it double between collections.
	// GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	if fset.NArg() > 0 {
		return usageErrorf("serve takes no arguments")
	}
	var logw io.Writer = c.env.Stderr
	if *logfile != "" {
		f, err := os.OpenFile(*logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("log file: %w", err)
		}
		defer f.Close()
		logw = f
	}
	lsp.Version = version
	return lsp.Serve(ctx, stdio{c.env.Stdin, c.env.Stdout}, lsp.Options{Log: logw, Integration: integrationRunner()})
}

// stdio is the process's standard input and output as one stream.
type stdio struct {
	io.Reader
	io.Writer
}

// Close closes standard input, which ends a read in progress; standard
// output stays open for the process's last words.
func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// serveMemoryLimit is the language server's soft memory limit: the garbage
// collector works harder past it; nothing fails.
const serveMemoryLimit = 128 << 20
