package billing

import (
	"context"
	_ "embed"
	"strings"

	"github.com/modls/modls/framework"

	"example.com/ruletest/modules/standard/billing/contract"
)

//go:embed manifest.json
var manifest []byte

const defaultStatus = contract.StatusOpen

// prefix shows that the file uses strings, which examples may use too.
var prefix = strings.ToLower("Billing")

type Module struct {
	svc     *Service
	plain   Plain
	tracker contract.Tracker
}

func (m *Module) Manifest() []byte { return manifest }

var opaque []framework.ServiceMethod

func (m *Module) Setup(s *framework.Setup) error {
	// Every entry agrees with the code: quiet.
	if err := s.RegisterService("billing.service", m.svc,
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Track records an event.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "name", Type: "string", Description: "the event's name"},
			},
			Returns: "error",
			Example: `if err := svc.Track(ctx, strings.ToLower("Signup")); err != nil {
	return err
}`,
		},
		framework.ServiceMethod{
			Name:        "Get",
			Description: "Get returns an event.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the event's id"},
			},
			Returns: "(contract.Event, error)",
			Example: `event, err := svc.Get(ctx, 42)`,
		},
		framework.ServiceMethod{
			Name:        "Count",
			Description: "Count counts events.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "names", Type: "...string", Description: "the names to count"},
			},
			Returns: "( int , error )",
			Example: `n, err := svc.Count(ctx, "a", "b")`,
		},
		framework.ServiceMethod{
			Name:        "Reset",
			Description: "Reset forgets every event.",
			Params:      []framework.Param{{Name: "arg0", Type: "context.Context"}},
			Returns:     "error",
			Example:     `return svc.Reset(ctx)`,
		},
		framework.ServiceMethod{
			Name:        "List",
			Description: "List lists events.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context"},
				{Name: "status", Type: "Status"},
				{Name: "limit", Type: "int"},
			},
			Returns: "([]Event, error)",
			Example: `events, err := svc.List(ctx, contract.StatusOpen, 10)
for _, e := range events {
	_ = e.Name
}`,
		},
		framework.ServiceMethod{Name: "Ping", Description: "Ping does nothing.", Example: `svc.Ping()`},
		framework.ServiceMethod{
			Name:        "Any",
			Description: "Any echoes.",
			Params:      []framework.Param{{"ctx", "context.Context", ""}, {"v", "any", ""}},
			Returns:     "(interface{}, error)",
			Example:     `v, err := svc.Any(ctx, defaultStatus)`,
		},
	); err != nil {
		return err
	}

	// Entries that name no method the framework finds.
	_ = s.RegisterService("billing.names", m.svc,
		framework.ServiceMethod{Name: "Void", Description: "Void cancels.", Example: `svc.Void()`}, // want `^ServiceMethod Void names no method of \*billing.Service$`
		framework.ServiceMethod{Name: "helper", Description: "helper helps."},                      // want `^ServiceMethod helper names no exported method of \*billing.Service: helper is unexported$`
		framework.ServiceMethod{Name: "Ping", Description: "Ping does nothing."},
		framework.ServiceMethod{Name: "Ping", Description: "Ping does nothing."}, // want `^ServiceMethod Ping is documented twice$`
		framework.ServiceMethod{Name: "", Description: "nameless"},               // want `^ServiceMethod has an empty Name$`
		framework.ServiceMethod{Description: "nameless"},                         // want `^ServiceMethod has no Name$`
	)

	// A value: the framework finds only the methods of its method set.
	_ = s.RegisterService("billing.plain", m.plain,
		framework.ServiceMethod{Name: "Val", Description: "Val.", Returns: "error", Example: `err := svc.Val()`},
		framework.ServiceMethod{Name: "Ptr", Description: "Ptr.", Returns: "error"}, // want `^ServiceMethod Ptr names no method of billing.Plain: Ptr has a pointer receiver, register a \*billing.Plain$`
	)

	// An interface: the value registered may have more methods than the
	// interface, so an entry naming another method is not reported; the
	// example type-checks against the interface.
	_ = s.RegisterService("billing.iface", m.tracker,
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Track records an event.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "name", Type: "string"}},
			Returns:     "error",
			Example:     `err := svc.Track(ctx, "signup")`,
		},
		framework.ServiceMethod{Name: "Extra", Description: "Extra is a method of the value registered."},
	)

	// Examples that do not type-check against the service.
	_ = s.RegisterService("billing.examples", m.svc,
		framework.ServiceMethod{
			Name:        "Get",
			Description: "Get returns an event.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "id", Type: "int64"}},
			Returns:     "(contract.Event, error)",
			Example:     `inv, err := svc.Get(ctx, "INV-7")`, // want `^Example does not type-check: cannot use "INV-7" \(untyped string constant\) as int64 value in argument to svc.Get$`
		},
		framework.ServiceMethod{
			Name:        "Count",
			Description: "Count counts events.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "names", Type: "...string"}},
			Returns:     "(int, error)",
			Example:     `n, err := svc.Count(ctx, undefinedName)`, // want `^Example does not type-check: undefined: undefinedName$`
		},
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Track records an event.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "name", Type: "string"}},
			Returns:     "error",
			Example:     `svc.Track(ctx, `, // want `^Example is not valid Go: expected operand, found '}'$`
		},
		framework.ServiceMethod{
			Name:        "Reset",
			Description: "Reset forgets every event.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}},
			Returns:     "error",
			Example:     `svc.Reset()`, // want `^Example does not type-check: not enough arguments in call to svc.Reset; have \(\); want \(context.Context\)$`
		},
		framework.ServiceMethod{
			Name:        "Ping",
			Description: "Ping does nothing.",
			Example:     "}\nfunc f() {", // want `^Example is not valid Go: it is not a list of statements$`
		},
		framework.ServiceMethod{
			Name:        "List",
			Description: "List lists events.",
			Params:      []framework.Param{{Name: "ctx", Type: "context.Context"}, {Name: "status", Type: "contract.Status"}, {Name: "limit", Type: "int"}},
			Returns:     "([]contract.Event, error)",
			Example:     `events := svc.List(ctx, "open", 1)`, // want `^Example does not type-check: assignment mismatch: 1 variable but svc.List returns 2 values$`
		},
	)

	// Entries passed as a slice cannot be read: quiet.
	return s.RegisterService("billing.opaque", m.svc, opaque...)
}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

// Plain is registered as a value.
type Plain struct{}

func (p Plain) Val() error  { return nil }
func (p *Plain) Ptr() error { return nil }
