package checker

import (
	"strings"
	"testing"
)

func TestParseSuppression(t *testing.T) {
	for _, tc := range []struct {
		text    string
		ok      bool
		rules   string
		reason  string
		problem string
	}{
		{"// a comment", false, "", "", ""},
		{"//modls:ignored", false, "", "", ""},
		{"//modls:ignore", true, "", "", "names no rule"},
		{"//modls:ignore MOD005", true, "MOD005", "", "gives no reason"},
		{"//modls:ignore MOD005 the tool writes it", true, "MOD005", "the tool writes it", ""},
		{"//modls:ignore MOD005,MOD006 both", true, "MOD005,MOD006", "both", ""},
		{"//modls:ignore mod5 x", true, "", "", "is not a rule ID"},
		{"//modls:ignore\tMOD001\treason  with   spaces", true, "MOD001", "reason with spaces", ""},
	} {
		rules, reason, problem, ok := ParseSuppression(tc.text)
		if ok != tc.ok || strings.Join(rules, ",") != tc.rules || reason != tc.reason || !strings.Contains(problem, tc.problem) || (tc.problem == "") != (problem == "") {
			t.Errorf("ParseSuppression(%q) = %v %q %q %v", tc.text, rules, reason, problem, ok)
		}
	}
}

func FuzzParseSuppression(f *testing.F) {
	for _, s := range []string{"//modls:ignore MOD005 reason", "//modls:ignore", "//modls:ignore MOD001,MOD002", "// x", "//modls:ignore \xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rules, reason, problem, ok := ParseSuppression(text)
		if !ok {
			if rules != nil || reason != "" || problem != "" {
				t.Fatalf("not a directive but returned %v %q %q", rules, reason, problem)
			}
			return
		}
		if problem == "" && (len(rules) == 0 || reason == "") {
			t.Fatalf("accepted %q without rules or reason", text)
		}
		for _, r := range rules {
			if !isRuleID(r) {
				t.Fatalf("returned rule %q", r)
			}
		}
		if strings.Contains(problem, "\n") {
			t.Fatalf("problem spans lines: %q", problem)
		}
	})
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("m.json", []byte(`{"rules": {"MOD002": {"enabled": false, "severity": "info"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg.Enabled() {
		if r.Doc.ID == "MOD002" {
			t.Error("MOD002 still enabled")
		}
	}
	for in, want := range map[string]string{
		`{"rules": {"MOD999": "off"}}`:                 `unknown rule "MOD999"`,
		`{"rules": {"MOD002": "loud"}}`:                `unknown severity "loud"`,
		`{"rules": {"MOD002": {"enabled": "yes"}}}`:    "want \"off\", a severity",
		`{"rules": {"MOD002": {"severity": "fatal"}}}`: `unknown severity "fatal"`,
		`{"rulez": {}}`:                                `unknown field "rulez"`,
		`{"rules": `:                                   "unexpected EOF",
	} {
		_, err := ParseConfig("m.json", []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "m.json: ") {
			t.Errorf("ParseConfig(%s) = %v, want an error naming the file and containing %q", in, err, want)
		}
	}
}
