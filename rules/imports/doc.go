// Package imports defines MOD010 (import-patterns): imports of another
// module's packages other than its contract, of the contract of a module
// that is not a declared dependency, and uses of deprecated framework API.
package imports

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD010",
	Name:  "import-patterns",
	Title: "import of another module's internals, of an undeclared dependency, or of deprecated API",
	What: `Reports, in every package of a module (tests included):

An import of a package of another module of the application other than its
contract package (modules/<type>/<name>/contract and below). The diagnostic is
on the import. A test may import the root package of a declared dependency to
boot it; that is not reported.

An import of the contract of a module that the manifest.json does not list in
"dependencies" (the core modules and the module itself are always declared).
The diagnostic is on the import; its related information points at the
manifest's "dependencies".

A use of a deprecated framework API, such as (*framework.App).Database. The
diagnostic is on the name used.`,
	Why: `A module's contract is its promise to other modules; everything else in it
may change without notice, and reaching into it couples two modules' internals.
Importing a module that is not a declared dependency compiles, but the
framework refuses its services at start-up, and the sandbox leaves the module
out of a minimal application. Deprecated API is kept for a while only so that
code moves to its replacement.`,
	Bad: `// modules/standard/reports/service.go; manifest.json: "dependencies": []
import (
	billingmodule "example.com/shop/modules/standard/billing"      // not its contract
	stock "example.com/shop/modules/standard/inventory/contract"    // not a dependency
)

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.Database() // deprecated
	return nil
}`,
	Good: `// manifest.json: "dependencies": ["standard.billing", "standard.inventory"]
import (
	billing "example.com/shop/modules/standard/billing/contract"
	stock "example.com/shop/modules/standard/inventory/contract"
)

func (m *Module) Start(ctx context.Context, app *framework.App) error {
	m.db = app.DB()
	return nil
}`,
	Severity: ruledoc.Warning,
	Fix: `"Add <module> to dependencies" appends the module to the "dependencies" of
manifest.json (creating the key if needed), keeping the file's layout. Unsafe:
it changes which modules the application must include and which services the
module may use; confirm the dependency is intended.

"Use <replacement>" (for (*framework.App).Database: "Use DB") replaces the
deprecated name with its replacement, which behaves the same. Safe.

An import of another module's internals has no quick fix: what it uses has to
move into that module's contract.`,
	Fixes: []ruledoc.Fix{
		{Title: "Add <module> to dependencies", Safe: false},
		{Title: "Use DB", Safe: true},
	},
	Since: "0.1.0",
}
