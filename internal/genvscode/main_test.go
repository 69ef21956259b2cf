package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/rules"
)

const repoPackageJSON = "../../editors/vscode/package.json"

func TestPackageJSONUpToDate(t *testing.T) {
	data, err := os.ReadFile(repoPackageJSON)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Update(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("editors/vscode/package.json is stale: run go run ./internal/genvscode")
	}
}

// TestUpdateKeepsTheRest checks that only modls.rules is rewritten and
// that keys keep their order.
func TestUpdateKeepsTheRest(t *testing.T) {
	in := []byte(`{
  "name": "x",
  "b": [1, 2.5, "three", true, null, {}],
  "contributes": {
    "configuration": {
      "title": "modls",
      "properties": {
        "modls.path": {"type": "string"},
        "modls.rules": {"type": "string"},
        "modls.trace.server": {"type": "string"}
      }
    },
    "commands": []
  },
  "a": "\u003c<>&"
}
`)
	out, err := Update(in)
	if err != nil {
		t.Fatal(err)
	}
	root, err := decode(out)
	if err != nil {
		t.Fatal(err)
	}
	top := root.(*object)
	if got, want := top.keys, []string{"name", "b", "contributes", "a"}; !equal(got, want) {
		t.Errorf("top-level keys %v, want %v", got, want)
	}
	if a, _ := top.get("a"); a != "<<>&" {
		t.Errorf("a = %q, want the string kept", a)
	}
	props := top.child("contributes").child("configuration").child("properties")
	if got, want := props.keys, []string{"modls.path", "modls.rules", "modls.trace.server"}; !equal(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
	again, err := Update(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again) {
		t.Error("Update is not idempotent")
	}
}

// TestSchemaAcceptsTheConfigForms checks that every form modls.json
// accepts for a rule (checker.ParseConfig) has its branch in the schema,
// and that the schema names exactly the registered rules.
func TestSchemaAcceptsTheConfigForms(t *testing.T) {
	var buf bytes.Buffer
	encode(&buf, rulesSchema(), "")
	var schema struct {
		Properties map[string]struct {
			AnyOf []struct {
				Type       string         `json:"type"`
				Enum       []string       `json:"enum"`
				Properties map[string]any `json:"properties"`
			} `json:"anyOf"`
			MarkdownDescription string `json:"markdownDescription"`
		} `json:"properties"`
		AdditionalProperties bool `json:"additionalProperties"`
	}
	if err := json.Unmarshal(buf.Bytes(), &schema); err != nil {
		t.Fatal(err)
	}
	if len(schema.Properties) != len(rules.All()) {
		t.Errorf("schema has %d rules, the registry %d", len(schema.Properties), len(rules.All()))
	}
	for _, r := range rules.All() {
		p, ok := schema.Properties[r.Doc.ID]
		if !ok {
			t.Errorf("schema lacks %s", r.Doc.ID)
			continue
		}
		if len(p.AnyOf) != 2 || p.AnyOf[0].Type != "string" || p.AnyOf[1].Type != "object" {
			t.Errorf("%s: want a string and an object branch, got %+v", r.Doc.ID, p.AnyOf)
			continue
		}
		for _, v := range p.AnyOf[0].Enum {
			cfg := []byte(`{"rules": {"` + r.Doc.ID + `": "` + v + `"}}`)
			if _, err := checker.ParseConfig("modls.json", cfg); err != nil {
				t.Errorf("schema allows %s, modls.json does not: %v", cfg, err)
			}
		}
		for k := range p.AnyOf[1].Properties {
			val := `true`
			if k == "severity" {
				val = `"info"`
			}
			cfg := []byte(`{"rules": {"` + r.Doc.ID + `": {"` + k + `": ` + val + `}}}`)
			if _, err := checker.ParseConfig("modls.json", cfg); err != nil {
				t.Errorf("schema allows %s, modls.json does not: %v", cfg, err)
			}
		}
		if !bytes.Contains([]byte(p.MarkdownDescription), []byte(r.Doc.Title)) {
			t.Errorf("%s: description lacks the rule's title %q", r.Doc.ID, r.Doc.Title)
		}
	}
	if schema.AdditionalProperties {
		t.Error("unknown rule IDs must be refused")
	}
}

func TestRunWritesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "package.json")
	if err := os.WriteFile(path, []byte(`{"name": "x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !bytes.Contains(data, []byte(`"MOD001"`)) || !bytes.HasPrefix(data, []byte("{\n  \"name\": \"x\",\n")) {
		t.Errorf("run wrote:\n%s", data)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
