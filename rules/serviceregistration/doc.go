// Package serviceregistration defines MOD001 (service-registration): a
// module that registers no service, a registration without ServiceMethod
// entries, a service name not of the form <module>.<name>, and a service
// name registered twice in one application.
package serviceregistration

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD001",
	Name:  "service-registration",
	Title: "service registration the framework refuses or that offers nothing",
	What: `Reports, in module code:

- a module whose Setup registers no service anywhere in the module (its own
  package and its sub-packages), once, on the Setup method's name;
- a RegisterService call with no ServiceMethod entries, on the call;
- a constant service name not of the form <short>.<name>, where <short> is the
  module's name after the dot ("audit" for standard.audit) and <name> is
  lowercase letters, digits and _, starting with a letter; on the name;
- a service name that another module of the same application registers too,
  that the module registers twice in one function, or that a core module
  (core.database, core.settings, core.error_handler) provides; on the name,
  with related information pointing at the other registration.

A service name that is not a constant (a field, a value computed at run
time) is reported once, as information, on the name: its form, its
uniqueness and the lookups of it cannot be checked. A name passed in as a
parameter (a helper that registers for its callers) is not reported.
Constants are resolved wherever they are declared, another package of the
Go module included (contract.ServiceName).

Registrations in _test.go files are left out. Two registrations of one name in
different branches of an if or a switch, or after a branch that returns, are
alternatives, not duplicates.`,
	Why: `Services are how modules offer their work to each other. The framework
refuses, when the application boots, a registration without ServiceMethod
entries, a name without the module's prefix and a name that is already taken:
the application does not start. A module that registers nothing offers
nothing to the other modules; its work belongs in one of them, or its
service is missing.`,
	Bad: `// manifest.json: "name": "standard.ledger"
func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("ledger.totals", m.totals); err != nil { // no entries
		return err
	}
	return s.RegisterService("ledger_archive", m.archive, archiveMethods...) // no "ledger." prefix
}`,
	Good: `func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("ledger.totals", m.totals, framework.ServiceMethod{
		Name:        "Sum",
		Description: "Returns the sum of every entry.",
		Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}},
		Returns:     "(int64, error)",
	}); err != nil {
		return err
	}
	return s.RegisterService("ledger.archive", m.archive, archiveMethods...)
}`,
	Severity: ruledoc.Error,
	Since:    "0.1.0",
}
