package framework_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/framework"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	p := writeFile(t, "app.json", `{
  "addr": "127.0.0.1:9000",
  "database": ":memory:",
  "max_body_bytes": 2048,
  "modules": {"standard.audit": {"retention_days": 7}}
}`)
	cfg, err := framework.LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9000" || cfg.Database != ":memory:" || cfg.MaxBodyBytes != 2048 {
		t.Errorf("got %+v; want the file's addr, database and max_body_bytes", cfg)
	}
	if got := strings.Join(strings.Fields(string(cfg.Modules["standard.audit"])), ""); got != `{"retention_days":7}` {
		t.Errorf("got module settings %s; want {\"retention_days\":7}", got)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"syntax error", "{\n  \"addr\": ,\n}", []string{"app.json:2:11: invalid JSON"}},
		{"syntax error on first line", `{"addr" "x"}`, []string{"app.json:1:9: invalid JSON"}},
		{"truncated", "{\n  \"addr\": \"x\",\n", []string{"app.json:3:1:", "ends before the JSON object is complete"}},
		{"wrong type", "{\n  \"addr\": 8000\n}", []string{"app.json:2:", `"addr" must be a string, not a JSON number`}},
		{"negative body limit", `{"max_body_bytes": -1}`, []string{"max_body_bytes must not be negative"}},
		{"unknown key", "{\n  \"adr\": \":80\"\n}", []string{"app.json", `unknown key "adr"`}},
		{"empty file", "", []string{"app.json: file is empty; want a JSON object"}},
		{"whitespace only", " \n\t", []string{"app.json: file is empty"}},
		{"trailing data", `{} {}`, []string{"app.json: unexpected data after the JSON object"}},
		{"trailing brace", `{}}`, []string{"app.json: unexpected data after the JSON object"}},
		{"not an object", `[]`, []string{"app.json:1:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "app.json", tc.content)
			_, err := framework.LoadConfig(p)
			wantErr(t, err, tc.want...)
			if err != nil && !strings.HasPrefix(err.Error(), "config ") {
				t.Errorf("error %q does not start with \"config \"", err)
			}
		})
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "absent.json")
	_, err := framework.LoadConfig(p)
	wantErr(t, err, "config", p, "no such file")
	if !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("errors do not reach the fs.ErrNotExist cause: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestParseConfigEmptyObject(t *testing.T) {
	cfg, err := framework.ParseConfig("inline", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "" || cfg.Database != "" || cfg.MaxBodyBytes != 0 {
		t.Errorf("got %+v; want zero values (defaults are applied by Boot and Run)", cfg)
	}
}
