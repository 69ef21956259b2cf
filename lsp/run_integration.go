package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/workspace"
)

// IntegrationRunner runs one module's sandboxed integration checks (SPEC
// §5), calling progress as each check finishes. `modls serve` passes the
// sandbox; tests pass a stand-in.
type IntegrationRunner func(ctx context.Context, req IntegrationRequest, progress func(IntegrationCheck)) (*IntegrationResult, error)

// IntegrationRequest names the module to run.
type IntegrationRequest struct {
	// Root is the directory of the Go module (go.mod) holding the module.
	Root string
	// ModuleDir is the module's directory, modules/<type>/<name>.
	ModuleDir string
	// Module is the module's name from its manifest ("standard.audit").
	Module string
	// Overlay holds the editor's unsaved buffers by absolute file name.
	Overlay map[string][]byte
	// Network gives module code the host's network (the editor's
	// sandbox.network setting).
	Network bool
}

// IntegrationCheck is one check's outcome.
type IntegrationCheck struct {
	Name     string
	Status   string // "pass", "fail" or "skip"
	Duration time.Duration
	Message  string
	File     string // absolute, or "" when the check points nowhere
	Line     int
}

// IntegrationResult is a whole run's outcome.
type IntegrationResult struct {
	Checks   []IntegrationCheck
	Passed   bool
	Duration time.Duration
	// Isolation is the sandbox's isolation report; nil when no module
	// code ran.
	Isolation *IntegrationIsolation
}

// IntegrationIsolation is the sandbox's isolation report as the lens
// outcome carries it: which layers held, and why the others did not.
type IntegrationIsolation struct {
	// Summary is the report in one line.
	Summary string `json:"summary"`
	// Layers are the layers of confinement, each "in force",
	// "unavailable" (the machine lacks it), "not needed" or "off".
	Layers []IsolationLayer `json:"layers"`
	// Network says module code had the host's network.
	Network bool `json:"network"`
}

// IsolationLayer is one layer of the sandbox's isolation.
type IsolationLayer struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// sandboxSettings are the editor's settings of the sandbox:
//
//	{"modls": {"sandbox": {"network": true}}}
//
// network gives module code the host's network in "run integration".
type sandboxSettings struct {
	Network bool `json:"network"`
}

// parseSandboxSettings reads the sandbox's part of the editor's settings;
// anything it does not understand means the defaults.
func parseSandboxSettings(raw []byte) sandboxSettings {
	var cs struct {
		Modls struct {
			Sandbox sandboxSettings `json:"sandbox"`
		} `json:"modls"`
	}
	json.Unmarshal(raw, &cs)
	return cs.Modls.Sandbox
}

func runIntegration(ctx context.Context, s *Server, args commandArgs, p *progress) (outcome, error) {
	if s.opts.Integration == nil {
		return outcome{}, errors.New("the sandbox is not available in this build of modls")
	}
	root, err := workspace.FindRoot(args.Dir)
	if err != nil {
		return outcome{}, err
	}
	req := IntegrationRequest{Root: root, ModuleDir: args.Dir, Module: moduleName(args.Dir), Overlay: map[string][]byte{}}
	s.mu.Lock()
	req.Network = s.sandbox.Network
	for path, d := range s.docs {
		if within(root, path) {
			req.Overlay[path] = d.text
		}
	}
	s.mu.Unlock()
	start := time.Now()
	res, err := s.opts.Integration(ctx, req, func(c IntegrationCheck) {
		p.report("%s %s", c.Status, c.Name)
	})
	if err != nil {
		return outcome{}, fmt.Errorf("integration of %s: %w", req.Module, err)
	}
	elapsed := res.Duration
	if elapsed == 0 {
		elapsed = time.Since(start)
	}
	out := outcome{covered: []string{args.Dir}, isolation: res.Isolation}
	s.warnIsolation(res.Isolation)
	var failed []string
	passed := 0
	for _, c := range res.Checks {
		switch c.Status {
		case "fail":
			failed = append(failed, c.Name)
			file := c.File
			if file != "" && !filepath.IsAbs(file) {
				file = filepath.Join(root, file)
			}
			if file == "" {
				file = filepath.Join(args.Dir, "manifest.json")
			}
			line := max(c.Line, 1)
			out.failures = append(out.failures, testFailure{File: file, Line: line, Message: "integration " + c.Name + ": " + c.Message})
		case "pass":
			passed++
		}
	}
	if res.Passed && len(failed) == 0 {
		out.ok = true
		out.title = "✓ integration " + seconds(elapsed)
		out.summary = fmt.Sprintf("%s integration: %d checks passed in %s", req.Module, passed, seconds(elapsed))
		return out, nil
	}
	out.title = fmt.Sprintf("✗ %d failed", max(len(failed), 1))
	out.summary = fmt.Sprintf("%s integration: %d failed (%s), %d passed", req.Module, len(failed), strings.Join(failed, ", "), passed)
	return out, nil
}

// moduleName reads a module's name from its manifest, or makes it from the
// directory (modules/standard/audit → standard.audit).
func moduleName(dir string) string {
	ws := filepath.Join(dir, "manifest.json")
	if data, err := os.ReadFile(ws); err == nil {
		var m struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(data, &m) == nil && m.Name != "" {
			return m.Name
		}
	}
	return filepath.Base(filepath.Dir(dir)) + "." + filepath.Base(dir)
}

// warnIsolation tells the user, once per server, which layers of the
// sandbox's isolation this machine lacks.
func (s *Server) warnIsolation(iso *IntegrationIsolation) {
	if iso == nil {
		return
	}
	var missing []string
	for _, l := range iso.Layers {
		if l.Status == "unavailable" {
			missing = append(missing, l.Name+" ("+l.Detail+")")
		}
	}
	s.mu.Lock()
	warn := len(missing) > 0 && !s.isolationWarned
	s.isolationWarned = s.isolationWarned || warn
	s.mu.Unlock()
	if warn {
		s.showMessage(protocol.MessageTypeWarning, "modls: the sandbox runs module code without %s on this machine; the other layers of isolation hold", strings.Join(missing, ", "))
	}
}
