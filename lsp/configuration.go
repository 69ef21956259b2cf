package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/internal/gitdiff"
)

// clientSettings is what editors send in initializationOptions and in
// workspace/didChangeConfiguration:
//
//	{"modls": {
//	  "rules": {"MOD011": "off", "MOD007": "error", "MOD002": {"enabled": true, "severity": "warning"}},
//	  "compileErrors": false,
//	  "newFromRev": "origin/main",
//	  "sandbox": {"network": true}
//	}}
//
// (sandbox: see sandboxSettings). The rules take modls.json's forms. A rule the editor names overrides
// modls.json for that rule; the others keep the workspace's settings.
// compileErrors false leaves the checker's "compile" findings (parse and
// type errors) out of what is published, for an editor where gopls
// already reports them; absent, they are shown. newFromRev, as `modls
// check --new-from-rev`, publishes only the findings on lines new or
// changed since that git revision, in the text being edited.
//
// Every object may also arrive as an empty array: Neovim before 0.10
// encodes an empty Lua table ({}) as [], so `rules = {}` reaches the
// server as "rules": [].
type clientSettings struct {
	rules map[string]checker.RuleConfig
	// compileErrors is nil when the editor did not say.
	compileErrors *bool
	// newFromRev is nil when the editor did not set it.
	newFromRev *revFilter
}

// revFilter is modls.newFromRev: the revision's tracker, and whether a
// problem with it was said.
type revFilter struct {
	tracker *gitdiff.Tracker
	once    sync.Once
}

// object reads raw as a JSON object into v, taking an empty array for an
// empty object. null and nothing leave v as it is.
func object(raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] == '[' {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil && len(list) == 0 {
			return nil
		}
		return fmt.Errorf("want an object, got an array")
	}
	if raw[0] != '{' {
		return fmt.Errorf("want an object, got %.40s", raw)
	}
	return json.Unmarshal(raw, v)
}

// parseClientSettings reads an editor's settings; nil settings or no
// modls section mean none.
func parseClientSettings(raw []byte) (clientSettings, error) {
	var out clientSettings
	var top struct {
		Modls json.RawMessage `json:"modls"`
	}
	if err := object(raw, &top); err != nil {
		return out, fmt.Errorf("editor settings: want {\"modls\": {\"rules\": {...}}}: %v", err)
	}
	var modls struct {
		Rules         json.RawMessage `json:"rules"`
		CompileErrors json.RawMessage `json:"compileErrors"`
		NewFromRev    json.RawMessage `json:"newFromRev"`
	}
	if err := object(top.Modls, &modls); err != nil {
		return out, fmt.Errorf("editor settings: modls: %v", err)
	}
	if ce := bytes.TrimSpace(modls.CompileErrors); len(ce) > 0 && !bytes.Equal(ce, []byte("null")) {
		var b bool
		if err := json.Unmarshal(ce, &b); err != nil {
			return out, fmt.Errorf("editor settings: modls.compileErrors: want true or false, got %.40s", ce)
		}
		out.compileErrors = &b
	}
	if nr := bytes.TrimSpace(modls.NewFromRev); len(nr) > 0 && !bytes.Equal(nr, []byte("null")) {
		var rev string
		if err := json.Unmarshal(nr, &rev); err != nil {
			return out, fmt.Errorf("editor settings: modls.newFromRev: want a git revision, got %.40s", nr)
		}
		if rev != "" {
			out.newFromRev = &revFilter{tracker: gitdiff.NewTracker(rev)}
		}
	}
	var rules map[string]json.RawMessage
	if err := object(modls.Rules, &rules); err != nil {
		return out, fmt.Errorf("editor settings: modls.rules: %v", err)
	}
	if len(rules) == 0 {
		return out, nil
	}
	for id, v := range rules {
		// {"enabled": ..., "severity": ...} written as an empty table.
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '[' {
			var list []json.RawMessage
			if json.Unmarshal(t, &list) == nil && len(list) == 0 {
				rules[id] = json.RawMessage(`{}`)
			}
		}
	}
	data, err := json.Marshal(map[string]any{"rules": rules})
	if err != nil {
		return out, fmt.Errorf("editor settings: %v", err)
	}
	cfg, err := checker.ParseConfig("editor settings", data)
	if err != nil {
		return out, err
	}
	out.rules = cfg.Rules
	return out, nil
}

// showCompileErrors tells whether the checker's "compile" findings are
// published: unless the editor said not to.
func (s *Server) showCompileErrors() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientSettings.compileErrors == nil || *s.clientSettings.compileErrors
}

// onChangedLines is modls.newFromRev for a file's text: whether a line of
// it is new or changed since the revision, or nil when every finding is
// published (no setting; a revision git does not know, said once).
func (s *Server) onChangedLines(path string, text []byte) func(line int) bool {
	s.mu.Lock()
	f := s.clientSettings.newFromRev
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	changed, err := f.tracker.Lines(ctx, path, text)
	if err != nil {
		f.once.Do(func() {
			s.showMessage(protocol.MessageTypeWarning, "modls: newFromRev: %v; every finding is shown", err)
		})
		return nil
	}
	return changed
}

// checkerConfig is modls.json of a Go module root with the editor's rule
// settings on top.
func (s *Server) checkerConfig(root string) (*checker.Config, error) {
	cfg, err := checker.LoadConfig(root, "")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	client := s.clientSettings.rules
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
// graded again and the open files re-checked (and so published again,
// with or without their compile findings).
func didChangeConfiguration(ctx context.Context, s *Server, p *protocol.DidChangeConfigurationParams) (any, error) {
	settings, err := parseClientSettings(p.Settings)
	if err != nil {
		s.showMessage(protocol.MessageTypeError, "modls: %v", err)
		return nil, nil
	}
	s.mu.Lock()
	s.clientSettings = settings
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
	// What a pulling client shows may change with the settings alone
	// (compile errors hidden): once the open files are checked with
	// them, ask it to pull again.
	s.mu.Lock()
	caps := s.caps
	s.mu.Unlock()
	if caps.pull && caps.pullRefresh {
		s.goBackground(func(ctx context.Context) {
			if s.sched.waitIdle(ctx) == nil {
				s.refreshDiagnostics()
			}
		})
	}
	return nil, nil
}
