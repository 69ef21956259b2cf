package lsp

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// TestIntegrationIsolationAndNetwork: the editor's sandbox.network setting
// (at initialize, then changed) reaches the sandbox; the outcome carries
// the isolation report; a missing layer is said once per server.
func TestIntegrationIsolationAndNetwork(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	var mu sync.Mutex
	var networks []bool
	fake := func(ctx context.Context, req IntegrationRequest, progress func(IntegrationCheck)) (*IntegrationResult, error) {
		mu.Lock()
		networks = append(networks, req.Network)
		mu.Unlock()
		return &IntegrationResult{Passed: true, Checks: []IntegrationCheck{{Name: "module loads", Status: "pass"}},
			Isolation: &IntegrationIsolation{Summary: "15 of 16 layers in force", Network: req.Network, Layers: []IsolationLayer{
				{Name: "pid namespace", Status: "in force"},
				{Name: "cgroup", Status: "unavailable", Detail: "no delegated cgroup v2"},
			}}}, nil
	}
	e := newEditor(t, dir, editorConfig{initOptions: map[string]any{"modls": map[string]any{"sandbox": map[string]any{"network": true}}}}, Options{Integration: fake}, nil)
	run := func() commandResult {
		var res commandResult
		e.call("workspace/executeCommand", map[string]any{
			"command":   cmdIntegration,
			"arguments": []any{map[string]any{"dir": e.path("modules/standard/shop")}},
		}, &res)
		return res
	}
	res := run()
	if res.Isolation == nil || !res.Isolation.Network || res.Isolation.Summary != "15 of 16 layers in force" || len(res.Isolation.Layers) != 2 {
		t.Errorf("outcome %+v; want the isolation report, with the network", res)
	}
	// didChangeConfiguration runs on the read loop, before the request
	// that follows it is dispatched.
	e.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"modls": map[string]any{"sandbox": map[string]any{"network": false}}}})
	res = run()
	if res.Isolation == nil || res.Isolation.Network {
		t.Errorf("outcome %+v; want no network after the change", res)
	}
	mu.Lock()
	if len(networks) != 2 || !networks[0] || networks[1] {
		t.Errorf("the sandbox was asked for the network %v; want [true false]", networks)
	}
	mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	warnings := 0
	for _, m := range e.messages {
		if strings.Contains(m, "the sandbox runs module code without cgroup (no delegated cgroup v2) on this machine") {
			warnings++
		}
	}
	if warnings != 1 {
		data, _ := json.Marshal(e.messages)
		t.Errorf("%d warnings about the missing layer; want 1: %s", warnings, data)
	}
}
