// Package servicedocsmismatch defines MOD003 (service-docs-mismatch): a
// ServiceMethod entry that disagrees with the service's code.
package servicedocsmismatch

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD003",
	Name:  "service-docs-mismatch",
	Title: "service method documentation that disagrees with the code",
	What: `Reports, for each framework.ServiceMethod literal passed to RegisterService:

- a Name that names no exported method of the registered implementation (or a
  method with a pointer receiver of an implementation registered as a value,
  which the framework does not find), a Name documented twice, or no Name; on
  the Name;
- Params that disagree with the method's parameters: their number, order,
  names or types (types compare without package qualifiers, so
  "contract.Run" matches Run; a variadic parameter is written "...T"); on the
  first Param that differs, or on Params when the number or order differs;
- Returns that disagrees with the method's result types ("(T, error)", or
  "error" for one result); on Returns;
- no Params or no Returns although the method has parameters or results; on
  the Name;
- an Example that does not type-check as the body of a function with ctx
  (context.Context) and svc (the implementation) in scope, inside the
  service's package with the imports of the registration's file and any
  standard-library package the example names (15*time.Minute needs no
  import), or, for an example written as another module would write it
  (catalog.Item), in a package that imports the service's package; on the
  Example, with the compiler's error. Unused variables and a missing final
  return are not errors in an example. A name several standard packages
  share (rand) is the one that has every name the example selects from it.
  An example that names a standard package the service's package does not
  depend on, directly or not, is not judged (its types are not at hand).

Registrations whose entries are passed as a slice (methods...) cannot be read
and are not checked, nor are Params or Returns that are not constant, nor
registrations in _test.go files.`,
	Why: `Other modules discover a service through its ServiceMethod entries: the
framework serves them at /api/v1/_framework/services. Documentation that
disagrees with the code is worse than none: callers pass the wrong types, the
wrong number of arguments, or copy an example that does not compile. An entry
naming no method stops the application at boot.`,
	Bad: `	return s.RegisterService("billing.invoices", m.svc, framework.ServiceMethod{
		Name:        "Get",
		Description: "Returns an invoice.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context"},
			{Name: "id", Type: "string"}, // func (s *Service) Get(ctx context.Context, id int64)
		},
		Returns: "(contract.Invoice, error)",
		Example: ` + "`" + `inv, err := svc.Get(ctx, "INV-7")` + "`" + `,
	})`,
	Good: `	return s.RegisterService("billing.invoices", m.svc, framework.ServiceMethod{
		Name:        "Get",
		Description: "Returns an invoice.",
		Params: []framework.Param{
			{Name: "ctx", Type: "context.Context"},
			{Name: "id", Type: "int64"},
		},
		Returns: "(contract.Invoice, error)",
		Example: ` + "`" + `inv, err := svc.Get(ctx, 7)` + "`" + `,
	})`,
	Severity: ruledoc.Error,
	Fix: `"Regenerate Params and Returns from the signature" rewrites the entry's Params
and Returns (adding them when they are missing) from the method's signature,
keeping the Description of each parameter whose name it finds among the
documented ones; the parts that agree with the signature are left as they
are, and so are comments outside the rewritten values. Safe: it changes
documentation only. Names that no method
has and Examples that do not type-check have no fix: which of the code or the
documentation is right needs a decision.`,
	Fixes: []ruledoc.Fix{{Title: "Regenerate Params and Returns from the signature", Safe: true}},
	Since: "0.1.0",
}
