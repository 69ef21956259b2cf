// Package analytics is the standard.analytics module: it records product
// events and summarises them together with the audit runs of
// standard.audit, which it reaches through the audit contract only.
package analytics

import (
	"context"
	_ "embed"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.analytics module.
type Module struct {
	settings *Settings
	svc      *Service
}

// New returns the module, ready to be listed in an application's main.
func New() *Module { return &Module{} }

// Manifest returns the module's manifest.json.
func (*Module) Manifest() []byte { return manifest }

// Setup declares the module's settings, schema, service and routes.
func (m *Module) Setup(s *framework.Setup) error {
	settings, err := framework.Settings[Settings](s)
	if err != nil {
		return err
	}
	m.settings = settings
	m.svc = newService(settings)
	if err := s.Migrate(createEventsTable, createEventsNameIndex, createEventsTimeIndex); err != nil {
		return err
	}
	if err := s.RegisterService("analytics.service", m.svc,
		framework.ServiceMethod{
			Name:        "Track",
			Description: "Records an event; the name is lowercase letters, digits, '.', '_' and '-', the source one of the sources setting.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "name", Type: "string", Description: "the event's name, e.g. signup.completed"},
				{Name: "source", Type: "string", Description: "where the event comes from, one of the sources setting"},
			},
			Returns: "(contract.Event, error)",
			Example: `event, err := svc.Track(ctx, "signup.completed", "web")`,
		},
		framework.ServiceMethod{
			Name:        "Recent",
			Description: "Returns the latest events, newest first.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "limit", Type: "int", Description: "the number of events to return, 1 to 1000"},
			},
			Returns: "([]contract.Event, error)",
			Example: `events, err := svc.Recent(ctx, 20)`,
		},
		framework.ServiceMethod{
			Name:        "Summary",
			Description: "Combines the event counts and the most frequent names with standard.audit's run counts.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			},
			Returns: "(contract.Summary, error)",
			Example: `summary, err := svc.Summary(ctx)`,
		},
		framework.ServiceMethod{
			Name:        "Prune",
			Description: "Deletes the events older than retention_days and returns how many it deleted.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			},
			Returns: "(int64, error)",
			Example: `deleted, err := svc.Prune(ctx)`,
		},
	); err != nil {
		return err
	}
	return s.Handle(api{svc: m.svc}.routes()...)
}

// Start looks up the audit service through its contract and hands the
// service the database.
func (m *Module) Start(_ context.Context, app *framework.App) error {
	auditor, err := framework.Service[auditcontract.Auditor](app, "audit.service")
	if err != nil {
		return err
	}
	m.svc.start(app.DB(), auditor, app.Logger())
	return nil
}
