// Package contract is what other modules may use of standard.notifications:
// the Notifier interface, registered as "notifications.service", and its
// values.
package contract

import (
	"context"
	"time"
)

// Status is the delivery status of a notification.
type Status string

// A notification is pending until a delivery attempt succeeds (sent) or the
// max_attempts setting is used up by failed attempts (failed).
const (
	StatusPending Status = "pending"
	StatusSent    Status = "sent"
	StatusFailed  Status = "failed"
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusSent, StatusFailed:
		return true
	}
	return false
}

// CodeAlreadyFinal is the error code (HTTP 409) of a delivery attempt
// recorded for a notification that is already sent or failed.
const CodeAlreadyFinal = "conflict.already_final"

// Notification is one message of the outbox.
type Notification struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	Recipient string `json:"recipient"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Status    Status `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	// Ref identifies what the notification reports, so that it is enqueued
	// once; empty for notifications enqueued by hand.
	Ref       string    `json:"ref"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Attempt is one recorded delivery attempt.
type Attempt struct {
	ID             int64     `json:"id"`
	NotificationID int64     `json:"notification_id"`
	Attempt        int       `json:"attempt"`
	Delivered      bool      `json:"delivered"`
	Error          string    `json:"error"`
	At             time.Time `json:"at"`
}

// Counts is the number of notifications in each status.
type Counts struct {
	Pending int64 `json:"pending"`
	Sent    int64 `json:"sent"`
	Failed  int64 `json:"failed"`
	Total   int64 `json:"total"`
}

// Notifier is the notifications service. Every error it returns is a
// *framework.Error.
type Notifier interface {
	// Enqueue adds a pending notification; channel "" means the
	// default_channel setting.
	Enqueue(ctx context.Context, channel, recipient, subject, body string) (Notification, error)
	// Get returns a notification, or a not_found error.
	Get(ctx context.Context, id int64) (Notification, error)
	// List returns notifications newest first, only those in status
	// unless it is empty; limit 0 means the page_size setting.
	List(ctx context.Context, status Status, limit int) ([]Notification, error)
	// RecordAttempt records the outcome of a delivery attempt.
	RecordAttempt(ctx context.Context, id int64, delivered bool, reason string) (Notification, error)
	// Attempts returns a notification's delivery attempts, oldest first.
	Attempts(ctx context.Context, id int64) ([]Attempt, error)
	// ReportFailedRuns enqueues one notification per failed audit run
	// attempt not reported yet and returns how many it enqueued.
	ReportFailedRuns(ctx context.Context) (int, error)
	// Counts returns the number of notifications in each status.
	Counts(ctx context.Context) (Counts, error)
}
