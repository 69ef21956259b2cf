package main

import (
	"context"

	"github.com/modls/modls/lsp"
	"github.com/modls/modls/sandbox"
)

// integrationRunner is what the "run integration (sandbox)" lens runs: the
// sandbox, with the editor's unsaved buffers.
func integrationRunner() lsp.IntegrationRunner {
	return func(ctx context.Context, req lsp.IntegrationRequest, progress func(lsp.IntegrationCheck)) (*lsp.IntegrationResult, error) {
		convert := func(c sandbox.Check) lsp.IntegrationCheck {
			return lsp.IntegrationCheck{Name: c.Name, Status: c.Status, Duration: c.Duration, Message: c.Message, File: c.File, Line: c.Line}
		}
		res, err := sandbox.Run(ctx, sandbox.Options{Dir: req.ModuleDir, Module: req.Module, Overlay: req.Overlay, Mode: sandbox.ModeAll, Network: req.Network}, func(c sandbox.Check) {
			progress(convert(c))
		})
		if err != nil {
			return nil, err
		}
		out := &lsp.IntegrationResult{Passed: res.Passed, Duration: res.Duration}
		if iso := res.Isolation; iso != nil {
			out.Isolation = &lsp.IntegrationIsolation{Summary: iso.Summary(), Network: iso.Network}
			for _, l := range iso.Layers {
				out.Isolation.Layers = append(out.Isolation.Layers, lsp.IsolationLayer{Name: l.Name, Status: l.Status, Detail: l.Detail})
			}
		}
		for _, c := range res.Checks {
			out.Checks = append(out.Checks, convert(c))
		}
		return out, nil
	}
}
