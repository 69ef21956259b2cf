// Package manifest defines MOD012 (manifest): a module's manifest.json that
// is missing or malformed, or that disagrees with the module's directory,
// its application or its code.
package manifest

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD012",
	Name:  "manifest",
	Title: "manifest.json missing, malformed, or disagreeing with the code",
	What: `Checks each module's manifest.json. In the manifest, at the key or value
concerned:

- JSON that does not parse (at the error), a duplicate key, an unknown key, a
  value of the wrong JSON type;
- a name that is missing, not of the form <type>.<name>, or not the name of
  its directory modules/<type>/<dir> ("<type>.<dir>"); a version that is
  missing or not semantic (MAJOR.MINOR.PATCH);
- an unknown or duplicate feature, and a feature the code shows no sign of
  using: "database" without Migrate or App.DB, "settings" without
  framework.Settings, "api" without Setup.Handle;
- a dependency that is not a module name, is the module itself, is
  duplicated, names no module of the application (the core modules always
  exist), or starts a dependency cycle (the message names the chain);
- a service name not of the form <short name>.<name>, a duplicate, and a
  service listed that no code of the module registers.

In the Go code:

- a module directory without manifest.json (on the package clause of the
  file declaring Setup);
- a service registered under a name the manifest does not list (on the name);
- a framework.Service lookup of a service that no declared dependency, core
  module or the module itself provides (on the name): "provided by
  standard.stock, which is not a declared dependency" when a module of the
  application registers it, "no module provides" when none does;
- a lookup whose service name is not a constant, once, as information: which
  module provides it cannot be checked;
- a call that uses a feature the manifest does not declare (on the first such
  call per feature and package).

Service names, on both sides, are Go constants wherever they are declared: a
literal, a constant of the package, a constant of a contract or of any other
package of the Go module (contract.ServiceName), typed or converted. A name
built from a value of another Go module or of the standard library, or
computed at run time, is not constant. When a module of the application
registers a service under a name that is not constant, "no module provides"
is not reported (that module may), nor is a listed service reported
unregistered in the module that does it.

Tests are not checked against the manifest. While the manifest or one of its
keys cannot be read, the checks that depend on it stay quiet.`,
	Why: `The framework and the sandbox trust manifest.json: a module whose manifest does
not parse, is misnamed or has a cyclic or unknown dependency does not start;
a lookup from a module that does not declare the provider fails at start-up;
the sandbox builds a module's minimal application from its dependencies and
features. A manifest that disagrees with the code sends every one of them
wrong.`,
	Bad: `// modules/standard/catalog/manifest.json
{
  "name": "extra.catalog",
  "version": "1.0",
  "features": ["database"],
  "dependencies": [],
  "services": ["catalog.items", "catalog.search"]
}

// modules/standard/catalog/module.go: no schema, no database use
func (m *Module) Setup(s *framework.Setup) error {
	return s.RegisterService("catalog.items", m.items, methods...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.stock, err = framework.Service[contract.Stock](app, "inventory.stock")
	return err
}`,
	Good: `{
  "name": "standard.catalog",
  "version": "1.0.0",
  "features": [],
  "dependencies": ["standard.inventory"],
  "services": ["catalog.items"]
}`,
	Severity: ruledoc.Error,
	Fix: `"Add <service> to services" lists a registered service in manifest.json. Safe:
the manifest then says what the code already does.

"Add <feature> to features" declares a feature the code uses. Safe, for the
same reason.

"Add <module> to dependencies" (on a lookup that exactly one module of the
application provides), "Remove <value> from <key>" (a listed service nothing
registers, an unused feature, an unknown dependency) and "Set name to
<type>.<dir>" are unsafe: they change what the application must include,
what other modules may look up or what they depend on; confirm each.

Every fix edits manifest.json in place, keeping its layout.`,
	Fixes: []ruledoc.Fix{
		{Title: "Add <service> to services", Safe: true},
		{Title: "Add api to features", Safe: true},
		{Title: "Add database to features", Safe: true},
		{Title: "Add settings to features", Safe: true},
		{Title: "Add <module> to dependencies", Safe: false},
		{Title: "Remove <value> from <key>", Safe: false},
		{Title: "Set name to <type>.<dir>", Safe: false},
	},
	Since: "0.1.0",
}
