package ruledoc

import "testing"

func TestSafeFix(t *testing.T) {
	d := Doc{Fixes: []Fix{
		{Title: "Use DB", Safe: true},
		{Title: "Add <service> to services", Safe: true},
		{Title: "Remove <value> from <key>", Safe: false},
	}}
	for title, want := range map[string]bool{
		"Use DB":                        true,
		"Use DBX":                       false,
		"Add catalog.feeds to services": true,
		"Add  to services":              false,
		"Add x to services and more":    false,
		"Remove api from features":      false,
		"Something else":                false,
		"Add <service> to services":     true,
	} {
		if got := d.SafeFix(title); got != want {
			t.Errorf("SafeFix(%q) = %v, want %v", title, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	good := Doc{ID: "MOD001", Name: "x", Title: "a title", What: "w", Why: "y", Bad: "b", Good: "g", Severity: Error, Since: "0.1.0",
		Fix: "f", Fixes: []Fix{{Title: "Add it", Safe: true}}}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Title, bad.Severity, bad.Fixes = "A title.", "loud", []Fix{{Title: "add it."}}
	err := bad.Check()
	if err == nil {
		t.Fatal("a malformed doc passed")
	}
	for _, want := range []string{"Title must start lowercase", "fix title", "unknown severity"} {
		if !contains(err.Error(), want) {
			t.Errorf("Check() = %v, want it to mention %q", err, want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
