// Package contract is what other modules may use of standard.analytics: the
// Tracker interface, registered as "analytics.service", and its values.
package contract

import (
	"context"
	"time"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
)

// Event is one recorded event.
type Event struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Source     string    `json:"source"`
	OccurredAt time.Time `json:"occurred_at"`
}

// NameCount is how often events of one name were recorded.
type NameCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Summary combines the recorded events with the audit runs.
type Summary struct {
	// Events is the number of events recorded and not yet pruned.
	Events int64 `json:"events"`
	// Top lists the most frequent event names, most frequent first.
	Top []NameCount `json:"top"`
	// AuditRuns are the run counts of standard.audit.
	AuditRuns auditcontract.Counts `json:"audit_runs"`
	// RunFailureRate is the share of finished runs that failed, 0 to 1.
	RunFailureRate float64 `json:"run_failure_rate"`
	// EventsPerRun is Events divided by the number of audit runs.
	EventsPerRun float64 `json:"events_per_run"`
}

// Tracker is the analytics service. Every error it returns is a
// *framework.Error.
type Tracker interface {
	// Track records an event.
	Track(ctx context.Context, name, source string) (Event, error)
	// Recent returns the latest events, newest first.
	Recent(ctx context.Context, limit int) ([]Event, error)
	// Summary combines the event counts with audit's run counts.
	Summary(ctx context.Context) (Summary, error)
	// Prune deletes the events older than the retention period.
	Prune(ctx context.Context) (int64, error)
}
