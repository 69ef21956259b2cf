// Package contract is what other modules may use of standard.audit: the
// Auditor interface, registered as "audit.service", and the values it takes
// and returns. A module that imports it declares standard.audit in the
// "dependencies" of its manifest.json.
package contract

import (
	"context"
	"time"
)

// Status is the state of an audit run.
type Status string

// The states of an audit run. A run starts pending, runs, and ends completed
// or failed; a failed run may run again until it has used its attempts.
const (
	StatusPending   Status = "pending"
	StatusRunning   Status = "running"
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
)

// Statuses lists every status in the order of a run's life.
func Statuses() []Status {
	return []Status{StatusPending, StatusRunning, StatusCompleted, StatusFailed}
}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusRunning, StatusCompleted, StatusFailed:
		return true
	}
	return false
}

// Error codes of the audit service besides the framework's own. Both map to
// HTTP 409.
const (
	// CodeInvalidTransition: the run's state machine does not allow the move.
	CodeInvalidTransition = "conflict.invalid_transition"
	// CodeAttemptsExhausted: a failed run has used all its attempts.
	CodeAttemptsExhausted = "conflict.attempts_exhausted"
)

// Run is one audit run.
type Run struct {
	ID     int64  `json:"id"`
	Target string `json:"target"`
	Status Status `json:"status"`
	// Attempts counts the times the run has entered running.
	Attempts int `json:"attempts"`
	// LastError is the note of the run's latest failure, if any.
	LastError string    `json:"last_error"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is one step of a run's history. From is empty for the creation.
type Event struct {
	ID      int64     `json:"id"`
	RunID   int64     `json:"run_id"`
	From    Status    `json:"from"`
	To      Status    `json:"to"`
	Attempt int       `json:"attempt"`
	Note    string    `json:"note"`
	At      time.Time `json:"at"`
}

// Counts is the number of runs in each status.
type Counts struct {
	Pending   int64 `json:"pending"`
	Running   int64 `json:"running"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
	Total     int64 `json:"total"`
}

// Auditor is the audit service. Every error it returns is a
// *framework.Error whose code says what went wrong.
type Auditor interface {
	// CreateRun creates a pending run for target.
	CreateRun(ctx context.Context, target string) (Run, error)
	// GetRun returns a run, or a not_found error.
	GetRun(ctx context.Context, id int64) (Run, error)
	// ListRuns returns runs newest first, only those in status unless it is
	// empty; limit 0 means the module's page size.
	ListRuns(ctx context.Context, status Status, limit int) ([]Run, error)
	// Transition moves a run to another status, recording note in its
	// history.
	Transition(ctx context.Context, id int64, to Status, note string) (Run, error)
	// Events returns a run's history, oldest first.
	Events(ctx context.Context, runID int64) ([]Event, error)
	// Counts returns the number of runs in each status.
	Counts(ctx context.Context) (Counts, error)
}
