package framework

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Manifest is a module's manifest.json: what it is, what it needs and what it
// offers. The framework reads it from the module (see Module.Manifest) so the
// file on disk is the single source of these facts.
type Manifest struct {
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	Description  string   `json:"description"`
	Features     []string `json:"features"`
	Dependencies []string `json:"dependencies"`
	Services     []string `json:"services"`
	Heavy        bool     `json:"heavy,omitempty"`
}

// Features a module may declare.
const (
	FeatureAPI      = "api"
	FeatureDatabase = "database"
	FeatureSettings = "settings"
)

// CoreModules are always present in every application.
var CoreModules = []string{"core.database", "core.settings", "core.error_handler"}

var (
	moduleNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)
	serviceRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	semverRE     = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
)

// ParseManifest decodes and validates a manifest. Unknown keys are refused so
// that a misspelt key is not silently ignored.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("manifest.json: %w", err)
	}
	if hasTrailingData(dec) {
		return Manifest{}, fmt.Errorf("manifest.json: unexpected data after the object")
	}
	return m, m.Validate()
}

// Validate checks the manifest on its own (not against other modules).
func (m Manifest) Validate() error {
	if !ValidModuleName(m.Name) {
		return fmt.Errorf("manifest.json: name %q is not of the form <type>.<name> (lowercase letters, digits, _)", m.Name)
	}
	if !semverRE.MatchString(m.Version) {
		return fmt.Errorf("manifest.json: %s: version %q is not semantic (MAJOR.MINOR.PATCH)", m.Name, m.Version)
	}
	for _, f := range m.Features {
		switch f {
		case FeatureAPI, FeatureDatabase, FeatureSettings:
		default:
			return fmt.Errorf("manifest.json: %s: unknown feature %q (want api, database or settings)", m.Name, f)
		}
	}
	for _, d := range m.Dependencies {
		if !ValidModuleName(d) {
			return fmt.Errorf("manifest.json: %s: dependency %q is not a module name", m.Name, d)
		}
		if d == m.Name {
			return fmt.Errorf("manifest.json: %s depends on itself", m.Name)
		}
	}
	for _, s := range m.Services {
		if err := checkServiceName(m.Name, s); err != nil {
			return fmt.Errorf("manifest.json: %w", err)
		}
	}
	return nil
}

// HasFeature reports whether the manifest declares feature f.
func (m Manifest) HasFeature(f string) bool {
	for _, x := range m.Features {
		if x == f {
			return true
		}
	}
	return false
}

// ValidModuleName reports whether s has the form <type>.<name>.
func ValidModuleName(s string) bool { return moduleNameRE.MatchString(s) }

// ShortName is the part of a module name after the dot: "standard.audit"
// gives "audit". It prefixes the module's services, tables and routes.
func ShortName(module string) string {
	_, short, ok := strings.Cut(module, ".")
	if !ok {
		return module
	}
	return short
}

// checkServiceName requires service names of the form <short>.<name>, where
// <short> is the owning module's short name.
func checkServiceName(module, name string) error {
	prefix := ShortName(module) + "."
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" || !serviceRE.MatchString(rest) {
		return fmt.Errorf("%s: service name %q is not of the form %s<name>", module, name, prefix)
	}
	return nil
}
