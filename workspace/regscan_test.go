package workspace

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegistrationTokens checks the registrations read from tokens
// against those the parse and the type checker read, for each shape of
// registration, and that the shapes the tokens cannot answer for are
// left to the parse.
func TestRegistrationTokens(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		tokens bool // read from the tokens, not parsed
	}{
		{"plain", `return s.RegisterService("a.svc", m, framework.ServiceMethod{Name: "A", Do: func() { x := 1; _ = x }}, framework.ServiceMethod{Name: "B"})`, true},
		{"raw", "return s.RegisterService(`a.raw`, m)", true},
		{"escapes", `return s.RegisterService("a.\u00e9\t", m, methods...)`, true},
		{"trailing comma", "return s.RegisterService(\n\t\"a.svc\",\n\tm,\n\tframework.ServiceMethod{Name: \"A\"},\n)", true},
		{"comments", "return s. /* c */ RegisterService( // c\n\t\"a.c\" /* c */, m)", true},
		{"no arguments", `s.RegisterService(); return nil`, true},
		{"two", `s.RegisterService("a.one", m); return s.RegisterService("a.two", m, [...]framework.ServiceMethod{}...)`, true},
		{"in a string", `_ = "x.RegisterService(y)"; return nil`, true},
		{"constant", `return s.RegisterService(name, m)`, false},
		{"concatenated", `return s.RegisterService("a." + "b", m)`, false},
		{"parenthesized name", `return s.RegisterService(("a.p"), m)`, false},
		{"number", `return s.RegisterService(1, m)`, false},
		{"parenthesized call", `return (s.RegisterService)("a.q", m)`, false},
		{"method value", `f := s.RegisterService; return f("a.v", m)`, false},
		{"nested", `return s.RegisterService("a.n", m, s.RegisterService("a.m", m))`, false},
		{"unbalanced", `return s.RegisterService("a.u", m`, false},
	}
	var archive strings.Builder
	archive.WriteString("-- go.mod --\nmodule example.com/shop\n")
	for i, c := range cases {
		dir := fmt.Sprintf("modules/standard/m%02d", i)
		fmt.Fprintf(&archive, "-- %s/manifest.json --\n{\"name\": \"standard.m%02d\"}\n", dir, i)
		fmt.Fprintf(&archive, "-- %s/names.go --\npackage m%02d\n\nconst name = \"a.const\"\n", dir, i)
		fmt.Fprintf(&archive, "-- %s/module.go --\npackage m%02d\n\nfunc (m *Module) Setup(s *framework.Setup) error {\n\t%s\n}\n", dir, i, c.body)
	}
	root := writeTree(t, archive.String())
	whole, err := Load(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	part, err := LoadFor(root, nil, LoadOptions{Full: func(string) bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		dir := filepath.Join(root, fmt.Sprintf("modules/standard/m%02d", i))
		wm, pm := whole.Module(dir), part.Module(dir)
		if got, want := fmt.Sprintf("%+v %+v", pm.Registrations, regNonConstant(pm)), fmt.Sprintf("%+v %+v", wm.Registrations, regNonConstant(wm)); got != want {
			t.Errorf("%s: read in part %s, in full %s", c.name, got, want)
		}
		name := filepath.Join(dir, "module.go")
		src, err := Overlay(nil).readFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := registrationTokens(name, src); ok != c.tokens {
			t.Errorf("%s: read from the tokens: %v, want %v", c.name, ok, c.tokens)
		}
	}
}

func regNonConstant(m *Module) []NonConstant {
	var out []NonConstant
	for _, n := range m.NonConstant {
		if n.What == "registration" {
			out = append(out, n)
		}
	}
	return out
}
