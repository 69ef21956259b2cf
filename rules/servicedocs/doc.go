// Package servicedocs defines MOD002 (service-docs-missing): an exported
// method of a registered service with no ServiceMethod entry.
package servicedocs

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD002",
	Name:  "service-docs-missing",
	Title: "exported service method without a ServiceMethod entry",
	What: `Reports each exported method of a registered service's implementation
that the RegisterService call documents with no framework.ServiceMethod entry.
The diagnostic is on the method's name; its related information points at the
registration.`,
	Why: `Other modules discover a service through its ServiceMethod entries: the
framework serves them at /api/v1/_framework/services and modls checks them
against the code. An undocumented method is invisible to the module's users, or
worse, used by guesswork.`,
	Bad: `func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("audit.service", m.svc, framework.ServiceMethod{
		Name: "Start", Description: "starts a run", Returns: "(Run, error)",
		Params: []framework.Param{{Name: "ctx", Type: "context.Context"}},
	})
}

func (s *Service) Start(ctx context.Context) (Run, error) { ... }
func (s *Service) Cancel(ctx context.Context, id int64) error { ... } // no entry`,
	Good: `	return s.RegisterService("audit.service", m.svc,
		framework.ServiceMethod{Name: "Start", ...},
		framework.ServiceMethod{
			Name:        "Cancel",
			Description: "Cancel cancels a run.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: ""},
				{Name: "id", Type: "int64", Description: ""},
			},
			Returns: "error",
		},
	)`,
	Severity: ruledoc.Error,
	Fix: `"Add ServiceMethod entries" appends one entry per undocumented method to the
RegisterService call, with Params and Returns generated from the signature and
the Description taken from the method's doc comment. Safe: it only adds
documentation; review the descriptions.`,
	Fixes: []ruledoc.Fix{{Title: "Add ServiceMethod entries", Safe: true}},
	Since: "0.1.0",
}
