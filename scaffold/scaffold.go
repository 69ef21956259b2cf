// Package scaffold writes new framework modules that are compliant as
// written: they compile, pass go vet and their own tests, and follow the
// rules of modls check.
//
// Generate renders a module's files in memory; Create finds the Go import
// path of the module directory, renders the files and writes them into
// <app>/modules/<type>/<name>/ all at once: they are written into a
// temporary directory beside the target, which is renamed into place, so a
// failure leaves nothing behind.
package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"go/format"
	"go/token"
	"go/types"
	"path"
	"regexp"
	"strings"
	"sync"
	"text/template"

	"github.com/modls/modls/framework"
)

// Features a module may have, in the order manifests list them.
var Features = []string{framework.FeatureAPI, framework.FeatureDatabase, framework.FeatureSettings}

// DefaultFeatures is the feature list used when none is given.
const DefaultFeatures = "api,database,settings"

// ReservedType is the module type kept for the framework's own modules.
const ReservedType = "core"

// Options say which module to generate.
type Options struct {
	// Name is the module's short name: its package, its directory and the
	// prefix of its service, tables and routes ("reports").
	Name string
	// Type is the module's type, the directory above it ("standard").
	Type string
	// Features is a subset of Features, each at most once.
	Features []string
}

// Module is the module's full name, "<type>.<name>".
func (o Options) Module() string { return o.Type + "." + o.Name }

// Dir is the module's directory relative to the application directory,
// slash-separated: "modules/<type>/<name>".
func (o Options) Dir() string { return path.Join("modules", o.Type, o.Name) }

// Check validates the options as a whole.
func (o Options) Check() error {
	if err := CheckName(o.Name); err != nil {
		return err
	}
	if err := CheckType(o.Type); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range o.Features {
		if err := checkFeature(f); err != nil {
			return err
		}
		if seen[f] {
			return fmt.Errorf("feature %q is listed twice", f)
		}
		seen[f] = true
	}
	return nil
}

func (o Options) has(feature string) bool {
	for _, f := range o.Features {
		if f == feature {
			return true
		}
	}
	return false
}

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reservedNames are package names a module may not have: "main" and "init"
// cannot be imported as packages, and "framework" is imported by every
// application's main, where the module's New is called.
var reservedNames = map[string]string{
	"main":      "is the name of a program, not of an importable package",
	"init":      "cannot be used as a package name",
	"framework": "would clash with the framework's package in the application's main",
}

// CheckName reports whether name can be a module's short name, which is
// also its Go package name.
func CheckName(name string) error {
	if !identRE.MatchString(name) {
		return fmt.Errorf("name %q is not valid: want lowercase letters, digits and _, starting with a letter", name)
	}
	if token.IsKeyword(name) {
		return fmt.Errorf("name %q is a Go keyword", name)
	}
	if types.Universe.Lookup(name) != nil {
		return fmt.Errorf("name %q would shadow Go's predeclared %s", name, name)
	}
	if why, ok := reservedNames[name]; ok {
		return fmt.Errorf("name %q %s", name, why)
	}
	if strings.HasSuffix(name, "_test") {
		return fmt.Errorf("name %q ends in _test, which Go keeps for test packages", name)
	}
	return nil
}

// CheckType reports whether typ can be a module type.
func CheckType(typ string) error {
	if !identRE.MatchString(typ) {
		return fmt.Errorf("type %q is not valid: want lowercase letters, digits and _, starting with a letter", typ)
	}
	if token.IsKeyword(typ) {
		return fmt.Errorf("type %q is a Go keyword", typ)
	}
	if typ == ReservedType {
		return fmt.Errorf("type %q is reserved for the framework's core modules", typ)
	}
	return nil
}

func checkFeature(f string) error {
	for _, known := range Features {
		if f == known {
			return nil
		}
	}
	return fmt.Errorf("unknown feature %q (want api, database or settings)", f)
}

// ParseFeatures reads a comma-separated feature list such as
// "api,database". The empty string is no features.
func ParseFeatures(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return []string{}, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("feature list %q has an empty entry", list)
		}
		if err := checkFeature(f); err != nil {
			return nil, err
		}
		if seen[f] {
			return nil, fmt.Errorf("feature %q is listed twice", f)
		}
		seen[f] = true
		out = append(out, f)
	}
	return out, nil
}

// File is one generated file.
type File struct {
	// Path is slash-separated and relative to the module directory.
	Path string
	Data []byte
}

//go:embed templates
var templateFS embed.FS

// templates are parsed when first used: every run of the command would
// pay for them at start otherwise.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"wrap": wrapComment,
	}).ParseFS(templateFS, "templates/*.tmpl", "templates/*/*.tmpl"))
})

// data is what the templates see.
type data struct {
	Name, Type string
	Module     string // standard.reports
	Service    string // reports.service
	Table      string // reports_items
	Title      string // Reports
	EnvPrefix  string // APP_STANDARD_REPORTS_
	ImportPath string
	// Description is the manifest's and the package comment's.
	Description string
	// Declares lists what Setup declares, for its doc comment.
	Declares string
	Features []string

	API, Database, Settings bool
}

func newData(o Options, importPath string) data {
	d := data{
		Name:       o.Name,
		Type:       o.Type,
		Module:     o.Module(),
		Service:    o.Name + ".service",
		Table:      o.Name + "_items",
		Title:      title(o.Name),
		EnvPrefix:  framework.EnvName(o.Module(), ""),
		ImportPath: importPath,
		API:        o.has(framework.FeatureAPI),
		Database:   o.has(framework.FeatureDatabase),
		Settings:   o.has(framework.FeatureSettings),
		Features:   []string{},
	}
	for _, f := range Features { // the canonical order, whatever the order given
		if o.has(f) {
			d.Features = append(d.Features, f)
		}
	}
	var declares []string
	switch {
	case d.Database && d.API:
		d.Description = fmt.Sprintf("It keeps named items in the %s table and serves them at /api/v1/%s/items.", d.Table, o.Name)
	case d.Database:
		d.Description = fmt.Sprintf("It keeps named items in the %s table.", d.Table)
	case d.API:
		d.Description = fmt.Sprintf("It serves its status at /api/v1/%s/status.", o.Name)
	default:
		d.Description = "It offers a service that describes the module."
	}
	if d.Settings {
		declares = append(declares, "settings")
	}
	if d.Database {
		declares = append(declares, "schema")
	}
	declares = append(declares, "service")
	if d.API {
		declares = append(declares, "routes")
	}
	d.Declares = joinList(declares)
	return d
}

// title turns a name into a display name: "sales_reports" gives
// "Sales reports".
func title(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// wrapComment turns text into a // comment of lines at most 76 columns
// wide (longer words stay whole).
func wrapComment(text string) string {
	const width = 76
	var b strings.Builder
	line := "//"
	for _, w := range strings.Fields(text) {
		if len(line) > 2 && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = "//"
		}
		line += " " + w
	}
	b.WriteString(line)
	return b.String()
}

// joinList joins words as English does: "a", "a and b", "a, b and c".
func joinList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// Generate renders the module's files, Go files formatted as gofmt would.
// importPath is the Go import path of the module's package.
func Generate(o Options, importPath string) ([]File, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if importPath == "" {
		return nil, fmt.Errorf("the module's import path is empty")
	}
	d := newData(o, importPath)
	type plan struct {
		tmpl, out string
		when      bool
	}
	plans := []plan{
		{"manifest.json.tmpl", "manifest.json", true},
		{"module.go.tmpl", "module.go", true},
		{"service.go.tmpl", "service.go", true},
		{"api.go.tmpl", "api.go", d.API},
		{"settings.go.tmpl", "settings.go", d.Settings},
		{"contract.go.tmpl", "contract/contract.go", true},
		{"module_test.go.tmpl", o.Name + "_test.go", true},
		{"integration_test.go.tmpl", o.Name + "_integration_test.go", true},
	}
	var files []File
	for _, p := range plans {
		if !p.when {
			continue
		}
		var buf bytes.Buffer
		if err := templates().ExecuteTemplate(&buf, p.tmpl, d); err != nil {
			return nil, fmt.Errorf("rendering %s: %w", p.out, err)
		}
		b := buf.Bytes()
		switch path.Ext(p.out) {
		case ".go":
			formatted, err := format.Source(b)
			if err != nil {
				return nil, fmt.Errorf("formatting %s: %w", p.out, err)
			}
			b = formatted
		case ".json":
			if _, err := framework.ParseManifest(b); err != nil {
				return nil, fmt.Errorf("generated %s is invalid: %w", p.out, err)
			}
		}
		files = append(files, File{Path: p.out, Data: b})
	}
	return files, nil
}
