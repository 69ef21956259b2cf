package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// commandArgs is the one argument of every modls command, a JSON object.
type commandArgs struct {
	// Dir is the directory the command works on: a module's directory, or
	// the package directory of a test.
	Dir string `json:"dir"`
	// Test is the name of the one test to run ("" for all).
	Test string `json:"test,omitempty"`
	// Dependency is the module modls.addDependency adds to the
	// dependencies of the module in Dir.
	Dependency string `json:"dependency,omitempty"`
}

// outcome is what a command found.
type outcome struct {
	ok bool
	// title is the lens title showing the outcome ("✓ integration 2.1 s").
	title string
	// summary is the message shown to the user.
	summary string
	// failures are turned into diagnostics at the failing lines (source
	// modls-test); byDir says which directories the run covered, so that
	// their old failures are cleared.
	failures []testFailure
	covered  []string
	// isolation is the sandbox's isolation report, for a sandbox run.
	isolation *IntegrationIsolation
}

// command is one workspace/executeCommand command. The table below is the
// single declaration: initialize advertises its names, executeCommand
// dispatches on it, and the code lenses use its titles.
type command struct {
	// Name is the command's identifier on the wire.
	Name string
	// Title is the lens title before the command has run.
	Title string
	// Doc says what the command does.
	Doc string
	run func(ctx context.Context, s *Server, args commandArgs, p *progress) (outcome, error)
}

// Command names.
const (
	cmdRunTests    = "modls.runTests"
	cmdIntegration = "modls.runIntegration"
	cmdValidate    = "modls.validateModule"
	// cmdAddDependency is the command of a completion that needs a
	// dependency the module does not declare (completion.go).
	cmdAddDependency = "modls.addDependency"
)

var commandTable = []command{
	{
		Name:  cmdRunTests,
		Title: "run unit tests",
		Doc: `Runs the unit tests of a module (every package under its directory) or,
with "test", one test of a package, with "go test -json" on the editor's
unsaved buffers; failures become diagnostics at the failing line.`,
		run: runTests,
	},
	{
		Name:  cmdIntegration,
		Title: "run integration (sandbox)",
		Doc: `Runs the module's integration checks in the sandbox (SPEC §5): the module
with its dependencies booted alone on a temporary database; failed checks
become diagnostics where they point.`,
		run: runIntegration,
	},
	{
		Name:  cmdValidate,
		Title: "validate module",
		Doc: `Checks every package of the module and its manifest.json against the
rules and reports the count of problems; the problems are published as
diagnostics.`,
		run: validateModule,
	},
	{
		Name:  cmdAddDependency,
		Title: "add dependency",
		Doc: `Adds "dependency" to the dependencies of the manifest.json of the module
in "dir", through workspace/applyEdit: the command of a completed service
name that the module did not declare a dependency for.`,
		run: addDependency,
	},
}

func commandNames() []string {
	names := make([]string, len(commandTable))
	for i, c := range commandTable {
		names[i] = c.Name
	}
	return names
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commandTable {
		if c.Name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandResult is executeCommand's answer.
type commandResult struct {
	OK      bool   `json:"ok"`
	Summary string `json:"summary"`
	// Isolation is the sandbox's isolation report (run integration only).
	Isolation *IntegrationIsolation `json:"isolation,omitempty"`
}

func executeCommand(ctx context.Context, s *Server, p *protocol.ExecuteCommandParams) (any, error) {
	c, ok := lookupCommand(p.Command)
	if !ok {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
	}
	var args commandArgs
	if len(p.Arguments) != 1 || json.Unmarshal(p.Arguments[0], &args) != nil || args.Dir == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, `%s takes one argument {"dir": "...", "test": "..."}`, c.Name)
	}
	if !filepath.IsAbs(args.Dir) {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: dir %q is not absolute", c.Name, args.Dir)
	}
	args.Dir = filepath.Clean(args.Dir)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	title := fmt.Sprintf("modls: %s %s", c.Title, filepath.Base(args.Dir))
	if args.Test != "" {
		title = fmt.Sprintf("modls: run %s", args.Test)
	}
	prog := s.beginProgress(runCtx, p.WorkDoneToken, title, cancel)
	start := time.Now()
	out, err := c.run(runCtx, s, args, prog)
	if err != nil {
		if runCtx.Err() != nil && ctx.Err() == nil {
			// Say what was cancelled: the one test, or the command
			// on its module.
			err = fmt.Errorf("%s cancelled", strings.TrimPrefix(title, "modls: "))
		}
		prog.end(err.Error())
		s.showMessage(protocol.MessageTypeError, "modls: %v", err)
		return nil, err
	}
	s.log.Printf("%s %s: %s (%v)", c.Name, args.Dir, out.summary, time.Since(start).Round(time.Millisecond))
	prog.end(out.summary)
	s.recordOutcome(lensKey(c.Name, args.Dir, args.Test), out)
	typ := protocol.MessageTypeInfo
	if !out.ok {
		typ = protocol.MessageTypeWarning
	}
	s.showMessage(typ, "%s", out.summary)
	return anyValue(commandResult{OK: out.ok, Summary: out.summary, Isolation: out.isolation}), nil
}

// recordOutcome keeps the outcome for the lens titles, turns failures into
// diagnostics, and asks the client to refresh its lenses.
func (s *Server) recordOutcome(key string, out outcome) {
	s.mu.Lock()
	s.outcomes[key] = out.title
	touched := map[string]bool{}
	if out.covered != nil {
		for file := range s.testDiags {
			for _, dir := range out.covered {
				if within(dir, file) {
					delete(s.testDiags, file)
					touched[file] = true
				}
			}
		}
		for _, f := range out.failures {
			s.testDiags[f.File] = append(s.testDiags[f.File], f)
			touched[f.File] = true
		}
		for file := range touched {
			s.testRev[file]++
		}
	}
	caps := s.caps
	s.mu.Unlock()
	if !caps.pull {
		for _, file := range sortedKeys(touched) {
			s.publish(file)
		}
	}
	s.goBackground(func(ctx context.Context) {
		if caps.lensRefresh {
			if err := s.callClient(ctx, "workspace/codeLens/refresh", nil, nil); err != nil {
				s.log.Printf("workspace/codeLens/refresh: %v", err)
			}
		}
		if caps.pull && caps.pullRefresh && len(touched) > 0 {
			if err := s.callClient(ctx, "workspace/diagnostic/refresh", nil, nil); err != nil {
				s.log.Printf("workspace/diagnostic/refresh: %v", err)
			}
		}
	})
}

func lensKey(cmd, dir, test string) string { return cmd + "\x00" + dir + "\x00" + test }

// seconds formats a duration as lens titles show it.
func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
