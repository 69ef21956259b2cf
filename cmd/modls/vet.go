package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/modls/modls/rules"
	"github.com/modls/modls/rules/ruledoc"
)

// VetCommand runs the rules package by package under `go vet`, which
// caches results with its build cache and checks test variants too:
//
//	modls vet ./...          is   go vet -vettool=$(command -v modls) ./...
type VetCommand struct{ env env }

// Run execs go vet with this executable as its vet tool.
func (c *VetCommand) Run(ctx context.Context, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(c.env.Stdout, `usage: modls vet [go vet flags] [packages]

Runs modls's rules through go vet: each package is analysed as go vet
builds it, with go vet's caching. The same as

	go vet -vettool=$(command -v modls) ./...

Each finding is printed as go vet prints it, with the rule's ID before the
message:

	modules/standard/ledger/service.go:54:18: MOD002: exported method Sum has no ServiceMethod entry

Rules are named by ID in go vet's flags: -MOD011=false turns one off.

Examples:
	modls vet ./...
	modls vet -MOD011=false ./modules/...
`)
			return nil
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"vet", "-vettool=" + self}, args...)...)
	cmd.Dir = c.env.Dir
	stderr := &flagErrorFilter{w: c.env.Stderr}
	cmd.Stdout, cmd.Stderr = c.env.Stdout, stderr
	err = cmd.Run()
	stderr.flush()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.ExitCode(), err: errors.New("")}
		}
		return err
	}
	return nil
}

// isVetToolInvocation reports whether go vet is running this executable as
// its vet tool: it asks for the version (-V=full), the flags (-flags), or
// passes a package's .cfg file.
func isVetToolInvocation(args []string) bool {
	if len(args) == 0 {
		return false
	}
	a := args[0]
	return strings.HasPrefix(a, "-V=") || a == "-flags" || strings.HasSuffix(args[len(args)-1], ".cfg")
}

// vetTool serves go vet's protocol; it does not return.
func vetTool() {
	unitchecker.Main(vetAnalyzers()...)
}

// vetAnalyzers are the rules' analyzers, each reporting its findings with
// the rule's ID before the message ("MOD002: exported method Sum has no
// ServiceMethod entry"), as go vet prints only positions and messages.
// They are copies: the rules' own analyzers are left as they are.
func vetAnalyzers() []*analysis.Analyzer {
	var out []*analysis.Analyzer
	for _, r := range rules.All() {
		a := *r.Analyzer
		run, id := a.Run, r.Doc.ID
		a.Run = func(pass *analysis.Pass) (any, error) {
			p := *pass
			report := pass.Report
			p.Report = func(d analysis.Diagnostic) {
				rule, _ := ruledoc.ParseCategory(d.Category)
				if rule == "" {
					rule = id
				}
				d.Message = rule + ": " + d.Message
				report(d)
			}
			return run(&p)
		}
		out = append(out, &a)
	}
	return out
}

// flagErrorFilter passes go vet's standard error through, except when its
// first line says a flag is wrong: then that line and where modls vet's
// usage is are all that is written, not go vet's usage.
type flagErrorFilter struct {
	w       io.Writer
	first   []byte
	decided bool
	drop    bool
}

func (f *flagErrorFilter) Write(p []byte) (int, error) {
	n := len(p)
	if !f.decided {
		f.first = append(f.first, p...)
		i := bytes.IndexByte(f.first, '\n')
		if i < 0 {
			return n, nil
		}
		f.decided = true
		line := string(f.first[:i])
		if strings.HasPrefix(line, "flag provided but not defined") || strings.HasPrefix(line, "invalid value ") ||
			strings.HasPrefix(line, "invalid boolean value ") || strings.HasPrefix(line, "flag needs an argument") {
			f.drop = true
			_, err := fmt.Fprintf(f.w, "modls vet: %s\nrun 'modls vet -h' for usage\n", line)
			return n, err
		}
		p, f.first = f.first, nil
	}
	if f.drop {
		return n, nil
	}
	if _, err := f.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// flush writes what is held back of a first line without an end.
func (f *flagErrorFilter) flush() {
	if !f.decided && len(f.first) > 0 {
		f.w.Write(f.first)
	}
	f.decided = true
}
