// Package testcoverage defines MOD011 (test-coverage): an exported service
// method that no test of the module references.
package testcoverage

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD011",
	Name:  "test-coverage",
	Title: "exported service method that no test references",
	What: `Reports each exported method of a registered service's implementation
(declared in the package that registers it) that no _test.go file of the
module refers to. A test refers to a method when it holds a selector with the
method's name: a call such as svc.Track(ctx, "x"), a method value, or a
method expression such as (*Service).Track. The check is by name only and
looks at every test file of the module, its sub-packages and external test
packages included, so a test that calls another type's method of the same
name counts too: the rule errs towards quiet. It does not measure coverage;
a method exercised only through HTTP requests in a test is reported. The
diagnostic is on the method's name, once even when the service is registered
twice; its related information points at the registration.`,
	Why: `A registered service is the module's contract with other modules: they
call its methods without seeing its code. A method no test touches can break
without anyone noticing until a caller fails in production; the sandbox's
built-in checks see that a service registers, not what its methods do.`,
	Bad: `// service.go
func (s *Service) Track(ctx context.Context, name string) (Event, error) { ... }
func (s *Service) Prune(ctx context.Context) (int64, error) { ... } // no test mentions Prune

// service_test.go
func TestTrack(t *testing.T) {
	svc := newTestService(t)
	if _, err := svc.Track(context.Background(), "signup"); err != nil {
		t.Fatal(err)
	}
}`,
	Good: `// service_test.go
func TestPrune(t *testing.T) {
	svc := newTestService(t)
	svc.now = func() time.Time { return time.Now().AddDate(0, 0, 100) }
	deleted, err := svc.Prune(context.Background())
	if err != nil || deleted != 0 {
		t.Fatalf("Prune = %d, %v; want 0, nil", deleted, err)
	}
}`,
	Severity: ruledoc.Warning,
	Fix: `"Create a test skeleton" creates <method>_test.go beside the method (an
internal test of the same package, so that unexported constructors and types
are at hand), or appends to that file when it already exists in the same
package and imports testing (otherwise <method>_skeleton_test.go is used). The
skeleton is a Test<Type><Method> function that names the method with a
method expression, (*Service).Track, and fails with t.Fatal until its body is
written. It does not call the method on a zero value, which would panic on
the service's nil fields, and it does not skip, because a skipped or empty
test would make the gap look closed; the failing test takes over from this
diagnostic as the reminder. Unsafe: it adds a failing test that must be
written by hand.`,
	Fixes: []ruledoc.Fix{{Title: "Create a test skeleton", Safe: false}},
	Since: "0.1.0",
}
