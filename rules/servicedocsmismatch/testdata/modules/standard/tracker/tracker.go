package tracker

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

type Module struct{ svc *Service }

func (m *Module) Manifest() []byte { return manifest }

func (m *Module) Setup(s *framework.Setup) error {
	if err := s.RegisterService("tracker.service", m.svc,
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Track records an event.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "event", Type: "string", Description: "the event's name"}, // want `^Param event is named name in the signature$`
			},
			Returns: "error",
		},
		framework.ServiceMethod{
			Name:        "Get",
			Description: "Get returns an event.",
			Params: []framework.Param{ // want `^Params of Get list 1 parameter, the method has 2 \(ctx context.Context, id int64\)$`
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			},
			Returns: "(contract.Event, bool)", // want `^Returns \(contract.Event, bool\) disagrees with the signature's \(contract.Event, error\)$`
		},
		framework.ServiceMethod{
			Name:        "Count",
			Description: "Count counts events.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "names", Type: "[]string", Description: "the names to count"}, // want `^Param names is documented as \[\]string, the signature says \.\.\.string$`
			},
			Returns: "(int , error)", // kept: it agrees with the signature
		},
		framework.ServiceMethod{
			Name:        "Reset", // want `^ServiceMethod Reset has no Params, the method has 1 \(context.Context\)$`
			Description: "Reset forgets every event.",
			Returns:     "error",
		},
		framework.ServiceMethod{
			Name:        "List",
			Description: "List lists events.",
			Params: []framework.Param{ // want `^Params of List are not in the signature's order \(ctx, status, limit\)$`
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "limit", Type: "int", Description: "how many"},
				{Name: "status", Type: "contract.Status", Description: "which"},
			},
			Returns: "([]contract.Event, error)",
		},
		framework.ServiceMethod{
			Name:        "Ping",
			Description: "Ping does nothing.",
			Params: []framework.Param{ // want `^Params of Ping list 1 parameter, the method has none$`
				{Name: "ctx", Type: "context.Context"},
			},
			Returns: "error", // want `^Returns error disagrees with the signature, which has no results$`
			Example: `svc.Ping()`,
		},
		framework.ServiceMethod{Name: "Any", Description: "Any echoes."}, // want `^ServiceMethod Any has no Params, the method has 2 \(ctx context.Context, v interface{}\)$` `^ServiceMethod Any has no Returns, the method returns \(any, error\)$`
	); err != nil {
		return err
	}
	if err := s.RegisterService("tracker.positional", m.svc,
		framework.ServiceMethod{"Track", "Track records an event.", []framework.Param{{"ctx", "context.Context", ""}, {"name", "int", "the name"}}, "bool", ""}, // want `^Param name is documented as int, the signature says string$` `^Returns bool disagrees with the signature's error$`
	); err != nil {
		return err
	}
	return s.RegisterService("tracker.more", m.svc,
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Track records an event.",
			Params:      nil, // want `^Params of Track are empty, the method has 2 \(ctx context.Context, name string\)$`
			Returns:     "",  // want `^Returns "" disagrees with the signature's error$`
		},
		framework.ServiceMethod{
			Name:        "Get",
			Description: "Get returns an event.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "ident", Type: "string", Description: "kept: the name matches no parameter, so the description is taken by position"}, // want `^Param ident is named id in the signature$`
			},
			Returns: "(contract.Event, error)",
		},
		framework.ServiceMethod{
			Name:        "Reset",
			Description: "Reset forgets every event.",
			Params:      resetParams, // not a literal: neither checked nor rewritten
			Returns:     "bool",      // want `^Returns bool disagrees with the signature's error$`
		},
		framework.ServiceMethod{
			Name:        "Count", // want `^ServiceMethod Count has no Returns, the method returns \(int, error\)$`
			Description: "Count counts events.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "names", Type: "...string", Description: "the names to count"},
			},
		},
	)
}

var resetParams = []framework.Param{{Name: "ctx", Type: "context.Context"}}

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }
