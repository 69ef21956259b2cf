// Package audit is the standard.audit module: audit runs that move through
// pending, running, completed and failed, with retries bounded by the
// max_attempts setting and a history of every transition. Other modules use
// it through its contract package and the "audit.service" service.
package audit

import (
	"context"
	_ "embed"

	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.audit module.
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
	if err := s.Migrate(createRunsTable, createEventsTable, createRunsStatusIndex, createEventsRunIndex); err != nil {
		return err
	}
	if err := s.RegisterService("audit.service", m.svc,
		framework.ServiceMethod{
			Name:        "CreateRun",
			Description: "Creates a pending audit run for a target.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "target", Type: "string", Description: "what the run audits; required, at most max_target_length characters"},
			},
			Returns: "(contract.Run, error)",
			Example: `run, err := svc.CreateRun(ctx, "billing")`,
		},
		framework.ServiceMethod{
			Name:        "GetRun",
			Description: "Returns an audit run; not_found if there is none with that id.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the run's id"},
			},
			Returns: "(contract.Run, error)",
			Example: `run, err := svc.GetRun(ctx, 42)`,
		},
		framework.ServiceMethod{
			Name:        "ListRuns",
			Description: "Returns audit runs newest first, only those in a status unless it is empty.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "status", Type: "contract.Status", Description: "the status to list, or \"\" for every status"},
				{Name: "limit", Type: "int", Description: "the number of runs to return, 1 to 1000; 0 means the page_size setting"},
			},
			Returns: "([]contract.Run, error)",
			Example: `runs, err := svc.ListRuns(ctx, "failed", 20)`,
		},
		framework.ServiceMethod{
			Name:        "Transition",
			Description: "Moves a run along pending → running → completed | failed, or failed → running as a retry; conflict.invalid_transition or conflict.attempts_exhausted (409) otherwise.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the run's id"},
				{Name: "to", Type: "contract.Status", Description: "the status to move to"},
				{Name: "note", Type: "string", Description: "recorded in the run's history; the failure reason when to is failed"},
			},
			Returns: "(contract.Run, error)",
			Example: `run, err := svc.Transition(ctx, 42, "running", "nightly retry")`,
		},
		framework.ServiceMethod{
			Name:        "Events",
			Description: "Returns the history of a run, oldest first.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "runID", Type: "int64", Description: "the run's id"},
			},
			Returns: "([]contract.Event, error)",
			Example: `events, err := svc.Events(ctx, 42)`,
		},
		framework.ServiceMethod{
			Name:        "Counts",
			Description: "Returns the number of runs in each status.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			},
			Returns: "(contract.Counts, error)",
			Example: `counts, err := svc.Counts(ctx)`,
		},
	); err != nil {
		return err
	}
	return s.Handle(api{svc: m.svc}.routes()...)
}

// Start hands the service the database and the module's logger.
func (m *Module) Start(_ context.Context, app *framework.App) error {
	m.svc.start(app.DB(), app.Logger())
	return nil
}
