package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/checker"
)

// clientSettings is what editors send in initializationOptions and in
// workspace/didChangeConfiguration:
//
//	{"modls": {"rules": {"MOD011": "off", "MOD007": "error", "MOD002": {"enabled": true, "severity": "warning"}}}}
//
// and {"modls": {"sandbox": {"network": true}}} (see sandboxSettings). The
// rules take modls.json's forms. A rule the editor names overrides
// modls.json for that rule; the others keep the workspace's settings.
type clientSettings struct {
	Modls struct {
		Rules json.RawMessage `json:"rules"`
	} `json:"modls"`
}

// parseClientRules reads an editor's settings; nil settings or no rules
// mean none.
func parseClientRules(raw []byte) (map[string]checker.RuleConfig, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var cs clientSettings
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, fmt.Errorf("editor settings: want {\"modls\": {\"rules\": {...}}}: %v", err)
	}
	rules := bytes.TrimSpace(cs.Modls.Rules)
	if len(rules) == 0 || bytes.Equal(rules, []byte("null")) {
		return nil, nil
	}
	cfg, err := checker.ParseConfig("editor settings", append(append([]byte(`{"rules": `), rules...), '}'))
	if err != nil {
		return nil, err
	}
	return cfg.Rules, nil
}

// checkerConfig is modls.json of a Go module root with the editor's rule
// settings on top.
func (s *Server) checkerConfig(root string) (*checker.Config, error) {
	cfg, err := checker.LoadConfig(root, "")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	client := s.clientRules
	s.mu.Unlock()
	if len(client) == 0 {
		return cfg, nil
	}
	merged := &checker.Config{Path: cfg.Path, Rules: map[string]checker.RuleConfig{}}
	for id, rc := range cfg.Rules {
		merged.Rules[id] = rc
	}
	for id, rc := range client {
		merged.Rules[id] = rc
	}
	return merged, nil
}

// didChangeConfiguration takes new editor settings: every session is
// graded again and the open files re-checked.
func didChangeConfiguration(ctx context.Context, s *Server, p *protocol.DidChangeConfigurationParams) (any, error) {
	rules, err := parseClientRules(p.Settings)
	if err != nil {
		s.showMessage(protocol.MessageTypeError, "modls: %v", err)
		return nil, nil
	}
	s.mu.Lock()
	s.clientRules = rules
	s.sandbox = parseSandboxSettings(p.Settings)
	roots := make([]string, 0, len(s.sessions))
	for root := range s.sessions {
		roots = append(roots, root)
	}
	open := make([]string, 0, len(s.docs))
	for path := range s.docs {
		open = append(open, path)
	}
	s.mu.Unlock()
	sort.Strings(roots)
	for _, root := range roots {
		sess, err := s.sessionFor(root).wait(ctx)
		if err != nil || sess == nil {
			continue
		}
		cfg, err := s.checkerConfig(root)
		if err != nil {
			s.showMessage(protocol.MessageTypeError, "modls: %v", err)
			continue
		}
		sess.SetConfig(cfg)
	}
	sort.Strings(open)
	s.sched.schedule(open...)
	return nil, nil
}
