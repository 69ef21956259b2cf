// Package apiresponse defines MOD007 (api-response-model): handlers whose
// response is not a named struct, response fields without json tags,
// invalid or duplicate routes, and api modules without GET /status.
package apiresponse

import "github.com/modls/modls/rules/ruledoc"

// Doc is the rule's documentation.
var Doc = ruledoc.Doc{
	ID:    "MOD007",
	Name:  "api-response-model",
	Title: "route or response model that breaks the framework's HTTP conventions",
	What: `Checks the routes a module makes with framework.GET, DELETE, POST and PUT:

- a response (the Resp type argument) that is not a named struct or a pointer
  to one: a map, a slice, a basic type, an anonymous struct, an interface.
  Reported on the explicit type argument, or else on the handler;
- an exported field of the response model without a json tag: the fields of
  the response struct and of the struct types of the module it holds (through
  pointers, slices, arrays and maps; embedded structs included). Reported on
  the field; a struct of another package of the module is reported on the
  field, or route, that holds it;
- a path that the framework refuses: one that does not start with /, or one
  that net/http's ServeMux rejects once mounted at /api/v1/<module>/ (a
  malformed {wildcard}, a duplicate wildcard name, {...} not at the end).
  Reported on the path;
- a route declared twice in a package (same method and path), or one that
  ServeMux refuses beside an earlier one because both match the same requests.
  Reported on the second path, with the first as related information. Routes
  in exclusive branches of an if or switch are not compared;
- a module whose manifest lists the "api" feature but that declares no GET
  /status route. Reported once, on the first Handle call of Setup (or on
  Setup's name), with the manifest's "api" as related information. Quiet when
  a GET route's path is not a constant or routes come from a function outside
  the module.

Routes made in test files are not checked.`,
	Why: `A response model is the module's public contract. A named struct can grow
a field without breaking clients, where a bare list or map cannot; json tags
fix the keys clients see, which would otherwise follow Go field names and
change with every rename. The framework refuses to start with an invalid or
duplicate route, and every api module answers GET /status so that the
sandbox and operators can tell it is up.`,
	Bad: `func (m *Module) Setup(s *framework.Setup) error { // no GET /status
	return s.Handle(
		framework.GET("/totals", m.totals), // map response
		framework.GET("daily", m.daily),    // path without /
	)
}

func (m *Module) totals(ctx context.Context, r *framework.Request) (map[string]int, error)

type dailyResponse struct {
	Day   string ` + "`" + `json:"day"` + "`" + `
	Count int // no json tag
}`,
	Good: `func (m *Module) Setup(s *framework.Setup) error {
	return s.Handle(
		framework.GET("/status", m.status),
		framework.GET("/totals", m.totals),
		framework.GET("/daily", m.daily),
	)
}

type totalsResponse struct {
	Totals map[string]int ` + "`" + `json:"totals"` + "`" + `
}

type dailyResponse struct {
	Day   string ` + "`" + `json:"day"` + "`" + `
	Count int    ` + "`" + `json:"count"` + "`" + `
}`,
	Severity: ruledoc.Warning,
	Fix: `"Add json tags" gives every exported field of the struct that has no json
tag one made from its name in snake_case (MaxAttempts becomes max_attempts),
keeping its other tags. Unsafe: the keys clients see change from the Go field
names to the new ones.

"Add a status endpoint" adds a StatusResponse type and a status handler method
at the end of Setup's file, and declares GET /status at the start of Setup.
Unsafe: it adds a route to the module's API; make the handler report what
matters about the module.`,
	Fixes: []ruledoc.Fix{
		{Title: "Add json tags", Safe: false},
		{Title: "Add a status endpoint", Safe: false},
	},
	Since: "0.1.0",
}
