package framework_test

import (
	"slices"
	"testing"

	"github.com/modls/modls/framework"
)

func TestParseManifestValid(t *testing.T) {
	m, err := framework.ParseManifest([]byte(`{
  "name": "standard.audit",
  "version": "1.2.3-rc.1+build.5",
  "description": "Audits runs.",
  "features": ["api", "database", "settings"],
  "dependencies": ["standard.analytics", "core.database"],
  "services": ["audit.service", "audit.reports_v2"],
  "heavy": true
}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "standard.audit" || m.Version != "1.2.3-rc.1+build.5" || m.Description != "Audits runs." || !m.Heavy {
		t.Errorf("got %+v", m)
	}
	if !slices.Equal(m.Dependencies, []string{"standard.analytics", "core.database"}) ||
		!slices.Equal(m.Services, []string{"audit.service", "audit.reports_v2"}) {
		t.Errorf("got dependencies %q services %q", m.Dependencies, m.Services)
	}
	for _, f := range []string{framework.FeatureAPI, framework.FeatureDatabase, framework.FeatureSettings} {
		if !m.HasFeature(f) {
			t.Errorf("HasFeature(%q) = false; want true", f)
		}
	}
	if m.HasFeature("heavy") {
		t.Error(`HasFeature("heavy") = true; want false`)
	}
}

func TestParseManifestMinimal(t *testing.T) {
	m, err := framework.ParseManifest([]byte(`{"name": "x.y", "version": "0.0.1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.HasFeature(framework.FeatureAPI) || m.Heavy {
		t.Errorf("got %+v; want no features and not heavy", m)
	}
}

func TestParseManifestErrors(t *testing.T) {
	const ok = `"name": "standard.audit", "version": "1.0.0"`
	for _, tc := range []struct {
		name, json, want string
	}{
		{"unknown key", `{` + ok + `, "dependancies": []}`, `unknown field "dependancies"`},
		{"syntax", `{` + ok, "manifest.json:"},
		{"empty", ``, "manifest.json:"},
		{"wrong type", `{"name": 1, "version": "1.0.0"}`, "manifest.json:"},
		{"trailing data", `{` + ok + `} {}`, "unexpected data after the object"},
		{"trailing brace", `{` + ok + `}}`, "unexpected data after the object"},
		{"no name", `{"version": "1.0.0"}`, `name "" is not of the form <type>.<name>`},
		{"name without type", `{"name": "audit", "version": "1.0.0"}`, `name "audit" is not of the form`},
		{"uppercase name", `{"name": "Standard.Audit", "version": "1.0.0"}`, `name "Standard.Audit"`},
		{"three parts", `{"name": "a.b.c", "version": "1.0.0"}`, `name "a.b.c"`},
		{"no version", `{"name": "standard.audit"}`, `standard.audit: version "" is not semantic`},
		{"two-part version", `{"name": "standard.audit", "version": "1.0"}`, `version "1.0" is not semantic`},
		{"v prefix", `{"name": "standard.audit", "version": "v1.0.0"}`, `version "v1.0.0"`},
		{"leading zero", `{"name": "standard.audit", "version": "01.0.0"}`, `version "01.0.0"`},
		{"unknown feature", `{` + ok + `, "features": ["api", "cache"]}`, `standard.audit: unknown feature "cache" (want api, database or settings)`},
		{"self dependency", `{` + ok + `, "dependencies": ["standard.audit"]}`, "standard.audit depends on itself"},
		{"bad dependency", `{` + ok + `, "dependencies": ["analytics"]}`, `standard.audit: dependency "analytics" is not a module name`},
		{"service of another module", `{` + ok + `, "services": ["analytics.service"]}`, `standard.audit: service name "analytics.service" is not of the form audit.<name>`},
		{"service without name", `{` + ok + `, "services": ["audit."]}`, `service name "audit."`},
		{"service with dash", `{` + ok + `, "services": ["audit.my-service"]}`, `service name "audit.my-service"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := framework.ParseManifest([]byte(tc.json))
			wantErr(t, err, "manifest.json", tc.want)
		})
	}
}

func TestValidModuleName(t *testing.T) {
	for name, want := range map[string]bool{
		"standard.audit": true, "core.database": true, "x1.y_2": true,
		"audit": false, "standard.": false, ".audit": false, "1x.y": false, "a.b.c": false, "A.b": false, "": false,
	} {
		if got := framework.ValidModuleName(name); got != want {
			t.Errorf("ValidModuleName(%q) = %v; want %v", name, got, want)
		}
	}
}

func TestShortName(t *testing.T) {
	for name, want := range map[string]string{"standard.audit": "audit", "core.error_handler": "error_handler", "plain": "plain"} {
		if got := framework.ShortName(name); got != want {
			t.Errorf("ShortName(%q) = %q; want %q", name, got, want)
		}
	}
}
