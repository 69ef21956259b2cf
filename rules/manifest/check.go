package manifest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/framework"
	"github.com/modls/modls/workspace"
)

// finding is a problem at a place in manifest.json.
type finding struct {
	start, end int // byte offsets
	msg        string
	fix        *fix
}

// fix is a quick fix editing manifest.json.
type fix struct {
	title string
	edits []codeactions.Edit
}

// code is what the manifest is checked against: facts read from the
// module's Go code.
type code struct {
	// registered holds the services registered outside tests under a
	// constant name; opaque is set when a registration's name is not a
	// constant, so that the registered set is incomplete.
	registered map[string]bool
	opaque     bool
	// uses holds the features the code shows signs of using, anywhere in
	// the module, tests included.
	uses map[string]bool
}

// kind is a JSON value's type, named as the messages name it.
func kind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// keyTypes maps each known key to the JSON type it must have.
var keyTypes = map[string]string{
	"name": "a string", "version": "a string", "description": "a string",
	"features": "an array", "dependencies": "an array", "services": "an array",
	"heavy": "a boolean",
}

var knownKeys = []string{"name", "version", "description", "features", "dependencies", "services", "heavy"}

// semverRE is the framework's definition of a semantic version.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

// elem is one string element of an array with its place.
type elem struct {
	value      string
	start, end int
}

// list reads the string elements of an array field; ok is false when the
// field is absent, null, not an array, or holds a non-string (those are
// reported as type errors).
func list(m *workspace.Module, f workspace.Field) (out []elem, ok bool) {
	if kind(f.Raw) != "an array" {
		return nil, false
	}
	for _, sp := range f.Elems {
		var s string
		if json.Unmarshal(m.ManifestData[sp.Start.Offset:sp.End.Offset], &s) != nil {
			return nil, false
		}
		out = append(out, elem{s, sp.Start.Offset, sp.End.Offset})
	}
	return out, true
}

// readable reports whether key is absent, null, or of the right type with
// string elements: what the module declares under it is known.
func readable(m *workspace.Module, key string) bool {
	if m.Object == nil {
		return false
	}
	f, ok := m.Object.Field(key)
	if !ok || kind(f.Raw) == "null" {
		return true
	}
	if keyTypes[key] == "an array" {
		_, ok := list(m, f)
		return ok
	}
	return kind(f.Raw) == keyTypes[key]
}

// declared returns the string elements of an array key, or nil when it is
// absent or unreadable.
func declared(m *workspace.Module, key string) []elem {
	f, ok := m.Object.Field(key)
	if !ok {
		return nil
	}
	els, _ := list(m, f)
	return els
}

// check finds the problems of a manifest that was read as a JSON object.
func check(m *workspace.Module, c code) []finding {
	var out []finding
	report := func(start, end int, f *fix, format string, args ...any) {
		out = append(out, finding{start: start, end: end, msg: fmt.Sprintf(format, args...), fix: f})
	}
	obj := m.Object
	brace := obj.Brace

	for _, d := range obj.Dups {
		report(d.KeyAt.Start.Offset, d.KeyAt.End.Offset, nil, "duplicate key %q", d.Key)
	}
	for _, f := range obj.Fields {
		want, known := keyTypes[f.Key]
		if !known {
			msg := fmt.Sprintf("unknown key %q", f.Key)
			if near := nearest(f.Key, knownKeys); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			report(f.KeyAt.Start.Offset, f.KeyAt.End.Offset, nil, "%s", msg)
			continue
		}
		got := kind(f.Raw)
		if got == "null" {
			continue // the framework reads null as the zero value
		}
		if got != want {
			if want == "an array" {
				want = "an array of strings"
			}
			report(f.ValueAt.Start.Offset, f.ValueAt.End.Offset, nil, "%s is %s, want %s", f.Key, got, want)
			continue
		}
		for _, sp := range f.Elems {
			if k := kind(m.ManifestData[sp.Start.Offset:sp.End.Offset]); k != "a string" {
				report(sp.Start.Offset, sp.End.Offset, nil, "an element of %s is %s, want a string", f.Key, k)
			}
		}
	}

	out = append(out, checkName(m, brace)...)

	if f, ok := obj.Field("version"); !ok || string(f.Raw) == "null" {
		report(brace.Start.Offset, brace.End.Offset, nil, "manifest.json has no version")
	} else if v, isStr := stringValue(f); isStr && !semverRE.MatchString(v) {
		report(f.ValueAt.Start.Offset, f.ValueAt.End.Offset, nil, "version %q is not semantic (MAJOR.MINOR.PATCH)", v)
	}

	out = append(out, checkFeatures(m, c)...)
	out = append(out, checkDependencies(m)...)
	out = append(out, checkServices(m, c)...)
	return out
}

func stringValue(f workspace.Field) (string, bool) {
	var s string
	err := json.Unmarshal(f.Raw, &s)
	return s, err == nil && kind(f.Raw) == "a string"
}

func checkName(m *workspace.Module, brace workspace.Span) []finding {
	want := m.Type + "." + m.DirName
	var setName *fix
	if framework.ValidModuleName(want) {
		if edits, err := codeactions.SetString(m.ManifestPath, m.ManifestData, "name", want); err == nil && len(edits) > 0 {
			setName = &fix{title: "Set name to " + want, edits: edits}
		}
	}
	hint := ""
	if framework.ValidModuleName(want) {
		hint = fmt.Sprintf(" (want %q)", want)
	}
	f, ok := m.Object.Field("name")
	if !ok || string(f.Raw) == "null" {
		return []finding{{brace.Start.Offset, brace.End.Offset, "manifest.json has no name" + hint, setName}}
	}
	name, isStr := stringValue(f)
	at := func(msg string, fx *fix) []finding {
		return []finding{{f.ValueAt.Start.Offset, f.ValueAt.End.Offset, msg, fx}}
	}
	switch {
	case !isStr:
		return nil // reported as a type error
	case name == "":
		return at("name is empty"+hint, setName)
	case !framework.ValidModuleName(name):
		return at(fmt.Sprintf("name %q is not of the form <type>.<name> (lowercase letters, digits, _)", name), setName)
	case framework.ValidModuleName(want) && name != want:
		return at(fmt.Sprintf("name %q does not match its directory modules/%s/%s (want %q)", name, m.Type, m.DirName, want), setName)
	}
	return nil
}

// featureUse says, per feature, what the code would show if it used it.
var featureUse = map[string]string{
	framework.FeatureDatabase: "the module has no schema and never uses the database",
	framework.FeatureSettings: "the module never reads its settings (framework.Settings)",
	framework.FeatureAPI:      "the module registers no routes (Setup.Handle)",
}

func checkFeatures(m *workspace.Module, c code) []finding {
	var out []finding
	seen := map[string]bool{}
	for _, e := range declared(m, "features") {
		switch {
		case seen[e.value]:
			out = append(out, finding{e.start, e.end, fmt.Sprintf("duplicate feature %q", e.value), nil})
		case featureUse[e.value] == "":
			out = append(out, finding{e.start, e.end, fmt.Sprintf("unknown feature %q (want api, database or settings)", e.value), nil})
		case !c.uses[e.value]:
			out = append(out, finding{e.start, e.end,
				fmt.Sprintf("feature %s is declared but %s", e.value, featureUse[e.value]),
				removeFix(m, "features", e.value)})
		}
		seen[e.value] = true
	}
	return out
}

func checkDependencies(m *workspace.Module) []finding {
	var out []finding
	seen := map[string]bool{}
	var cycle []string
	if c := m.DependencyCycle(); len(c) > 2 {
		cycle = c
	}
	for _, e := range declared(m, "dependencies") {
		d := e.value
		switch {
		case seen[d]:
			out = append(out, finding{e.start, e.end, fmt.Sprintf("duplicate dependency %q", d), nil})
		case !framework.ValidModuleName(d):
			out = append(out, finding{e.start, e.end, fmt.Sprintf("dependency %q is not a module name (<type>.<name>)", d), nil})
		case d == m.Name():
			out = append(out, finding{e.start, e.end, fmt.Sprintf("dependency %q is the module itself", d), removeFix(m, "dependencies", d)})
		case !workspace.IsCore(d) && m.App.ByName(d) == nil:
			out = append(out, finding{e.start, e.end,
				fmt.Sprintf("unknown dependency %q: no module of the application has that name", d),
				removeFix(m, "dependencies", d)})
		case cycle != nil && d == cycle[1]:
			out = append(out, finding{e.start, e.end, "dependency cycle: " + strings.Join(cycle, " -> "), nil})
			cycle = nil
		}
		seen[d] = true
	}
	return out
}

func checkServices(m *workspace.Module, c code) []finding {
	var out []finding
	seen := map[string]bool{}
	owner := m.Manifest.Name
	if !framework.ValidModuleName(owner) {
		owner = m.Type + "." + m.DirName
	}
	prefix := framework.ShortName(owner) + "."
	checkForm := framework.ValidModuleName(owner)
	for _, e := range declared(m, "services") {
		s := e.value
		if seen[s] {
			out = append(out, finding{e.start, e.end, fmt.Sprintf("duplicate service %q", s), nil})
			continue
		}
		seen[s] = true
		if checkForm && !validService(prefix, s) {
			out = append(out, finding{e.start, e.end, fmt.Sprintf("service name %q is not of the form %s<name>", s, prefix), nil})
		}
		if !c.opaque && !c.registered[s] {
			out = append(out, finding{e.start, e.end,
				fmt.Sprintf("service %q is listed but the code does not register it", s),
				removeFix(m, "services", s)})
		}
	}
	return out
}

var serviceRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// validService reports whether s has the form <prefix><name>, as the
// framework requires of a module's services.
func validService(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	return ok && serviceRE.MatchString(rest)
}

func removeFix(m *workspace.Module, key, value string) *fix {
	edits, err := codeactions.RemoveFromList(m.ManifestPath, m.ManifestData, key, value)
	if err != nil || len(edits) == 0 {
		return nil
	}
	return &fix{title: "Remove " + value + " from " + key, edits: edits}
}

// nearest is the candidate within two edits of s, or "".
func nearest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
