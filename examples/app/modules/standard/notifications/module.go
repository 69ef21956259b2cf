// Package notifications is the standard.notifications module: an outbox of
// notifications whose delivery attempts are recorded, retried up to the
// max_attempts setting, and which reports the failed runs of standard.audit
// (reached through the audit contract only) to an operations recipient.
package notifications

import (
	"context"
	_ "embed"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

//go:embed manifest.json
var manifest []byte

// Module is the standard.notifications module.
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
	if err := s.Migrate(createOutboxTable, createAttemptsTable, createOutboxStatusIndex, createAttemptsIndex); err != nil {
		return err
	}
	if err := s.RegisterService("notifications.service", m.svc,
		framework.ServiceMethod{
			Name:        "Enqueue",
			Description: "Adds a pending notification to the outbox; an empty channel means the default_channel setting.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "channel", Type: "string", Description: "email, sms or webhook; \"\" for the default_channel setting"},
				{Name: "recipient", Type: "string", Description: "the address to deliver to; required"},
				{Name: "subject", Type: "string", Description: "the notification's subject; required"},
				{Name: "body", Type: "string", Description: "the notification's text"},
			},
			Returns: "(contract.Notification, error)",
			Example: `n, err := svc.Enqueue(ctx, "email", "ops@example.com", "nightly audit done", "all targets passed")`,
		},
		framework.ServiceMethod{
			Name:        "Get",
			Description: "Returns a notification; not_found if there is none with that id.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the notification's id"},
			},
			Returns: "(contract.Notification, error)",
			Example: `n, err := svc.Get(ctx, 42)`,
		},
		framework.ServiceMethod{
			Name:        "List",
			Description: "Returns notifications newest first, only those in a status unless it is empty.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "status", Type: "contract.Status", Description: "pending, sent, failed, or \"\" for every status"},
				{Name: "limit", Type: "int", Description: "the number to return, 1 to 1000; 0 means the page_size setting"},
			},
			Returns: "([]contract.Notification, error)",
			Example: `pending, err := svc.List(ctx, "pending", 100)`,
		},
		framework.ServiceMethod{
			Name:        "RecordAttempt",
			Description: "Records a delivery attempt of a pending notification: delivered makes it sent; a failure keeps it pending until max_attempts failures make it failed. conflict.already_final (409) for a sent or failed one.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the notification's id"},
				{Name: "delivered", Type: "bool", Description: "whether the attempt delivered the notification"},
				{Name: "reason", Type: "string", Description: "why a failed attempt failed"},
			},
			Returns: "(contract.Notification, error)",
			Example: `n, err := svc.RecordAttempt(ctx, 42, false, "smtp: connection refused")`,
		},
		framework.ServiceMethod{
			Name:        "Attempts",
			Description: "Returns the delivery attempts of a notification, oldest first.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
				{Name: "id", Type: "int64", Description: "the notification's id"},
			},
			Returns: "([]contract.Attempt, error)",
			Example: `attempts, err := svc.Attempts(ctx, 42)`,
		},
		framework.ServiceMethod{
			Name:        "ReportFailedRuns",
			Description: "Enqueues a notification to ops_recipient for each failed audit run attempt not reported yet, and returns how many it enqueued.",
			Params: []framework.Param{
				{Name: "ctx", Type: "context.Context", Description: "the request's context"},
			},
			Returns: "(int, error)",
			Example: `enqueued, err := svc.ReportFailedRuns(ctx)`,
		},
		framework.ServiceMethod{
			Name:        "Counts",
			Description: "Returns the number of notifications in each status.",
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
