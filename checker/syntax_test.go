package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const typingApp = `
-- modules/standard/notes/manifest.json --
{"name": "standard.notes", "version": "1.0.0", "description": "notes", "features": [], "dependencies": [], "services": ["notes.service"]}
-- modules/standard/notes/module.go --
package notes

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is standard.notes.
type Module struct{}

// Manifest returns the module's manifest.
func (m *Module) Manifest() []byte { return manifest }

// Setup registers the service.
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("notes.service", &Service{}, framework.ServiceMethod{Name: "Ping", Description: "Ping answers.", Returns: "error"})
}

// Start does nothing.
func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
-- modules/standard/notes/service.go --
package notes

import "errors"

// Service is the notes service.
type Service struct{}

// Ping answers.
func (s *Service) Ping() error { return nil }

// Fail is an unregistered helper with a plain error.
func fail() error { return errors.New("plain") }
-- modules/standard/notes/service_test.go --
package notes

import "testing"

func TestPing(t *testing.T) { (&Service{}).Ping() }
`

// TestNoFindingsInBrokenFunction checks that a function the user is still
// typing gets no rule's findings, only the syntax error, and that the rest
// of the file is still checked.
func TestNoFindingsInBrokenFunction(t *testing.T) {
	dir := writeWorkspace(t, typingApp)
	svc := filepath.Join(dir, "modules/standard/notes/service.go")
	data, _ := os.ReadFile(svc)
	ctx := context.Background()
	for _, tc := range []struct {
		name, text string
		want       []string // rules expected, besides the compile error
	}{
		// A method typed as far as its opening parenthesis, before
		// another declaration: without the suppression MOD002, MOD008
		// and MOD011 report the half-typed Foo.
		{"open parameter list", string(data) + "\nfunc (s *Service) Foo(\n\nvar x = 1\n", nil},
		{"at the end of the file", string(data) + "\nfunc (s *Service) Foo(", nil},
		{"half-typed statement", strings.Replace(string(data), "func (s *Service) Ping() error { return nil }",
			"func (s *Service) Ping() error {\n\tif err := errors.New(\"x\"); err != nil {\n\t\treturn err\n\t}\n\tx :=\n}\n\nfunc (s *Service) Other() int { return 0 }", 1), nil},
	} {
		res, err := Check(ctx, Options{Dir: dir, Patterns: []string{"./modules/standard/notes"}, Overlay: map[string][]byte{svc: []byte(tc.text)}, Cache: seeded(t)})
		if err != nil {
			t.Fatal(err)
		}
		compile := 0
		var rules []string
		for _, d := range res.Diagnostics {
			if d.File != svc {
				continue
			}
			if d.Rule == RuleCompile {
				compile++
				continue
			}
			rules = append(rules, d.Rule+" "+d.Message)
		}
		if compile == 0 || len(rules) != len(tc.want) {
			t.Errorf("%s: %d compile errors, findings %q", tc.name, compile, rules)
		}
	}
	// The complete method is checked again.
	done := string(data) + "\nfunc (s *Service) Foo() {}\n"
	res, err := Check(ctx, Options{Dir: dir, Patterns: []string{"./modules/standard/notes"}, Overlay: map[string][]byte{svc: []byte(done)}, Cache: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		if d.File == svc && d.Rule == "MOD008" {
			got = append(got, d.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "exported service method Foo returns no error") {
		t.Errorf("the finished method: %q", got)
	}
}
