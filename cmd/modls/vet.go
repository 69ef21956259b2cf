package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/modls/modls/rules"
)

// VetCommand runs the rules package by package under `go vet`, which
// caches results with its build cache and checks test variants too:
//
//	modls vet ./...          is   go vet -vettool=$(command -v modls) ./...
type VetCommand struct{ env env }

// Run execs go vet with this executable as its vet tool.
func (c *VetCommand) Run(ctx context.Context, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(c.env.Stderr, `usage: modls vet [go vet flags] [packages]

Runs modls's rules through go vet: each package is analysed as go vet
builds it, with go vet's caching. The same as

	go vet -vettool=$(command -v modls) ./...

Rules are named by ID in go vet's flags: -MOD011=false turns one off.
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
	cmd.Stdout, cmd.Stderr = c.env.Stdout, c.env.Stderr
	if err := cmd.Run(); err != nil {
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
	unitchecker.Main(rules.Analyzers()...)
}
