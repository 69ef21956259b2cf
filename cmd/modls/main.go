// Command modls checks, tests and scaffolds modules of the framework in
// package github.com/modls/modls/framework.
//
// main is a thin switch: each subcommand lives in a file of its own with a
// type that parses its flags and runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand of modls.
type command interface {
	// Run executes the command with its arguments (the command name removed).
	Run(ctx context.Context, args []string) error
}

// env is what a command may touch of the outside world, so that tests can
// run commands in-process.
type env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Dir    string // working directory; "" means the process's
}

// exitError is an error with the process exit code it stands for.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad arguments: exit code 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// flagError reports a flag the command does not take, or a bad value of
// one: the error on one line, then where the usage is. Exit code 2.
func flagError(cmd string, err error) error {
	return &exitError{code: 2, err: fmt.Errorf("%v\nrun 'modls %s -h' for usage", err, cmd)}
}

// parseFlags parses a command's flags. -h and --help print the usage on
// standard output; the caller then returns nil (exit 0). A bad flag is a
// flagError. The FlagSet itself prints nothing.
func parseFlags(e env, cmd string, fs *flag.FlagSet, args []string, usage func(io.Writer)) (help bool, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		usage(e.Stdout)
		return true, nil
	}
	if err != nil {
		return false, flagError(cmd, err)
	}
	return false, nil
}

// printDefaults writes the flags' defaults, as flag.PrintDefaults does, to w.
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// errSilentFailure is returned by a command that has already reported why it
// failed (findings printed, tests failed): exit code 1, nothing more printed.
var errSilentFailure = &exitError{code: 1, err: errors.New("")}

const usage = `modls checks, tests and scaffolds modules of the framework.

Usage:
  modls <command> [arguments]

Commands:
  check      check modules against the rules (MOD001-MOD012)
  merge      join the --format json outputs of a sharded check (check --shard K/N)
  rules      list the rules, or print one rule's page: modls rules MOD005
  vet        run the rules under go vet (go vet -vettool=$(command -v modls))
  cache      export the results cache to a file, or import one (CI runners)
  scaffold   write a new module that passes its checks and tests as generated
  sandbox    run a module's integration checks and tests in an isolated copy
  serve      run the language server on standard input and output (editors start it)
  version    print modls's version
  help       print this help, or a command's help: modls help <command>

Run 'modls <command> -h' for a command's flags.
`

func commands(e env) map[string]command {
	return map[string]command{
		"scaffold": &ScaffoldCommand{env: e},
		"check":    &CheckCommand{env: e},
		"cache":    &CacheCommand{env: e},
		"rules":    &RulesCommand{env: e},
		"merge":    &MergeCommand{env: e},
		"serve":    &ServeCommand{env: e},
		"vet":      &VetCommand{env: e},
		"sandbox":  &SandboxCommand{env: e},
		"version":  &VersionCommand{env: e},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "devel"

// VersionCommand prints modls's version.
type VersionCommand struct{ env env }

// Run prints the version.
func (c *VersionCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("version", flag.ContinueOnError)
	if help, err := parseFlags(c.env, "version", fset, args, func(w io.Writer) {
		fmt.Fprint(w, "usage: modls version\n\nPrints modls's version: the module version it was built from, or devel.\n")
	}); help || err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return flagError("version", fmt.Errorf("unexpected argument %q", fset.Arg(0)))
	}
	_, err := fmt.Fprintln(c.env.Stdout, "modls", version)
	return err
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.Stderr, usage)
		return 2
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(rest) == 1 {
			if _, ok := commands(e)[rest[0]]; ok {
				return run(ctx, []string{rest[0], "-h"}, e)
			}
		}
		fmt.Fprint(e.Stdout, usage)
		return 0
	}
	cmd, ok := commands(e)[name]
	if !ok {
		fmt.Fprintf(e.Stderr, "modls: unknown command %q; run 'modls help' for the list\n", name)
		return 2
	}
	err := cmd.Run(ctx, rest)
	if err == nil {
		return 0
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err.Error() != "" {
			fmt.Fprintf(e.Stderr, "modls %s: %v\n", name, xe.err)
		}
		return xe.code
	}
	fmt.Fprintf(e.Stderr, "modls %s: %v\n", name, err)
	return 1
}

func main() {
	if isVetToolInvocation(os.Args[1:]) {
		vetTool()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
