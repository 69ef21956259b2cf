// Package errorhandling defines MOD008 (error-handling): module code that
// breaks the framework's result pattern.
package errorhandling

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD008",
	Name:  "error-handling",
	Title: "module code that breaks the framework's result pattern",
	What: `Reports, in the module's non-test Go files:

- an exported method of a registered service whose last result is not error
  (no result at all, or another type such as *framework.Error, whose nil
  value is a non-nil error once returned as one); on the method's name, with
  the registration as related information;
- a call of the builtin panic, of log.Fatal, log.Fatalf, log.Fatalln,
  log.Panic, log.Panicf, log.Panicln (or the same methods of a *log.Logger)
  and of os.Exit; on the call. A panic inside an IntegritySession callback is
  reported too: the framework rolls the session back, but the panic still
  crosses a boundary and is not an error the caller can handle;
- an error from the framework that is discarded: a call of a framework
  function or method whose last result is error, used as a statement, in a
  go or defer statement, or with that result assigned to _; on the call;
- an error that carries no code crossing a boundary: in an exported method
  of a registered service, or in an HTTP handler (a function literal,
  function or method given to framework.GET, POST, PUT or DELETE), a return
  whose error is a call of errors.New, a call of fmt.Errorf that does not
  wrap (%w) an error carrying a code, or a plain sentinel: a package-level
  error variable made by errors.New or fmt.Errorf, in the package or in
  another package of the application (contract.ErrNotFound, known through
  its analysis fact); on that call or variable.

An error carries a code when it is nil, a *framework.Error, made by
framework.Errorf or framework.AsError, returned by a method of an interface
(another module's service, through its contract), returned by a function of
the application whose every error result carries one (known across packages
through an analysis fact), or a local variable assigned only such errors.
fmt.Errorf("...: %w", err) with such an err keeps the code: errors.As finds
it.

Quiet: returning an err variable received from another call, a sentinel
made by framework.Errorf, framework.Errorf (with %w or not) and other
*framework.Error values; all of the above in _test.go files; returns inside
function literals other than handlers (they return to the literal's caller,
not across the boundary); exported methods of types that are not
registered.`,
	Why: `The framework's result pattern is Go's own: service methods return
(T, error), and errors that cross a service or HTTP boundary are
*framework.Error values carrying a code, which the HTTP layer maps to a status
and callers branch on. A plain error reaches callers as an anonymous internal
error. os.Exit and log.Fatal end the whole application at once: other
modules are not stopped and the database is not closed. The framework
recovers a panic only where it calls module code itself (Setup, Start, HTTP
handlers, IntegritySession callbacks), turning it into an anonymous internal
error; in a method another module calls, or in a goroutine, a panic crashes
the application. A discarded framework error hides a failed registration,
migration or write.`,
	Bad: `func (s *Service) Track(ctx context.Context, name string) (Event, error) {
	if name == "" {
		return Event{}, errors.New("name is required") // plain error
	}
	s.db.IntegritySession(ctx, "track", func(tx *framework.Tx) error { // error discarded
		_, err := tx.Exec(insertSQL, name)
		return err
	})
	return Event{Name: name}, nil
}

func (s *Service) Count() int { ... } // no error result

func mustParse(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}`,
	Good: `func (s *Service) Track(ctx context.Context, name string) (Event, error) {
	if name == "" {
		return Event{}, framework.Errorf(framework.CodeInvalidArgument, "name is required")
	}
	err := s.db.IntegritySession(ctx, "track", func(tx *framework.Tx) error {
		_, err := tx.Exec(insertSQL, name)
		return err
	})
	if err != nil {
		return Event{}, framework.Errorf(framework.CodeInternal, "recording %q: %w", name, err)
	}
	return Event{Name: name}, nil
}

func (s *Service) Count(ctx context.Context) (int, error) { ... }

func parse(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "%q is not a number", s)
	}
	return n, nil
}`,
	Severity: ruledoc.Error,
	Fix: `"Wrap in framework.Errorf" replaces a plain error returned by a service
method: errors.New(msg) becomes framework.Errorf(framework.CodeInternal, msg)
(with a "%s" format when msg is not a constant free of %), and
fmt.Errorf(format, args...) becomes framework.Errorf(framework.CodeInternal,
format, args...). It imports the framework if the file does not, and drops the
errors or fmt import when the call was its last use. A returned sentinel has
no fix: give it a code where it is declared (framework.Errorf). Unsafe: the error's value and
its text change ("internal: " is prepended), so callers that compare error
values or messages behave differently, and a %w-wrapped *framework.Error's
own code is no longer the first one errors.As finds; review the code,
CodeInternal is rarely the most precise one. The other cases have no quick
fix.`,
	Fixes: []ruledoc.Fix{{Title: "Wrap in framework.Errorf", Safe: false}},
	Since: "0.1.0",
}
