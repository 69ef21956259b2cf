package checker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/modls/modls/rules"
	"github.com/modls/modls/rules/ruledoc"
)

// ConfigFile is the name of the workspace configuration file, looked for
// in the directory of go.mod.
const ConfigFile = "modls.json"

// Config enables and grades rules. Its file form is
//
//	{
//	  "rules": {
//	    "MOD011": "off",
//	    "MOD007": "error",
//	    "MOD002": {"enabled": true, "severity": "warning"}
//	  }
//	}
//
// A rule maps to "off", a severity ("error", "warning", "info"), or an
// object with "enabled" and "severity". Rules not named keep their
// defaults.
type Config struct {
	Rules map[string]RuleConfig
	// Path is the file the config was read from, if any.
	Path string
}

// RuleConfig is one rule's setting.
type RuleConfig struct {
	Enabled  *bool            `json:"enabled,omitempty"`
	Severity ruledoc.Severity `json:"severity,omitempty"`
}

// UnmarshalJSON accepts "off", a severity, or the object form.
func (rc *RuleConfig) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		if s == "off" {
			f := false
			rc.Enabled = &f
			return nil
		}
		sev, err := ruledoc.ParseSeverity(s)
		if err != nil {
			return fmt.Errorf("%v, or \"off\"", err)
		}
		rc.Severity = sev
		return nil
	}
	type plain RuleConfig
	var p plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("want \"off\", a severity, or {\"enabled\": bool, \"severity\": string}")
	}
	if p.Severity != "" {
		if _, err := ruledoc.ParseSeverity(string(p.Severity)); err != nil {
			return err
		}
	}
	*rc = RuleConfig(p)
	return nil
}

// ParseConfig reads a config file's content; name is used in errors.
func ParseConfig(name string, data []byte) (*Config, error) {
	var raw struct {
		Rules map[string]json.RawMessage `json:"rules"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	cfg := &Config{Rules: map[string]RuleConfig{}, Path: name}
	ids := make([]string, 0, len(raw.Rules))
	for id := range raw.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := rules.ByID(id); !ok {
			return nil, fmt.Errorf("%s: rules: unknown rule %q (run 'modls rules' for the list)", name, id)
		}
		var rc RuleConfig
		if err := json.Unmarshal(raw.Rules[id], &rc); err != nil {
			return nil, fmt.Errorf("%s: rules.%s: %v", name, id, err)
		}
		cfg.Rules[id] = rc
	}
	return cfg, nil
}

// LoadConfig reads path, or, when path is "", modls.json in the Go module
// root above dir if there is one.
func LoadConfig(dir, path string) (*Config, error) {
	if path == "" {
		root := dir
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				return &Config{}, nil
			}
			root = parent
		}
		path = filepath.Join(root, ConfigFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return &Config{}, nil
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data)
}

// Enabled returns the rules to run.
func (c *Config) Enabled() []rules.Rule {
	var out []rules.Rule
	for _, r := range rules.All() {
		if rc, ok := c.Rules[r.Doc.ID]; ok && rc.Enabled != nil && !*rc.Enabled {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Severity is the configured severity of a rule.
func (c *Config) Severity(r rules.Rule) ruledoc.Severity {
	if rc, ok := c.Rules[r.Doc.ID]; ok && rc.Severity != "" {
		return rc.Severity
	}
	return r.Doc.Severity
}

// fingerprint describes the settings that change results.
func (c *Config) fingerprint(enabled []rules.Rule) string {
	var b strings.Builder
	for _, r := range enabled {
		fmt.Fprintf(&b, "%s=%s;", r.Doc.ID, c.Severity(r))
	}
	return b.String()
}
