package notifications

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/examples/app/modules/standard/notifications/contract"
	"github.com/modls/modls/framework"
)

const (
	// maxListLimit bounds the limit a caller may ask List for.
	maxListLimit = 1000
	// maxReportedRuns is the number of failed runs, newest first, that one
	// ReportFailedRuns call looks at.
	maxReportedRuns = 1000
)

// channels are the delivery channels a notification may use.
var channels = []string{"email", "sms", "webhook"}

// Service is the notifications service, registered as
// "notifications.service". Its methods return *framework.Error values only.
type Service struct {
	settings *Settings
	db       *framework.DB
	audit    auditcontract.Auditor
	log      *slog.Logger
	now      func() time.Time
}

var _ contract.Notifier = (*Service)(nil)

func newService(settings *Settings) *Service {
	return &Service{settings: settings, now: time.Now}
}

// start gives the service what it uses once the application runs.
func (s *Service) start(db *framework.DB, audit auditcontract.Auditor, log *slog.Logger) {
	s.db = db
	s.audit = audit
	s.log = log
}

// Enqueue adds a pending notification to the outbox. An empty channel means
// the default_channel setting.
func (s *Service) Enqueue(ctx context.Context, channel, recipient, subject, body string) (contract.Notification, error) {
	if channel == "" {
		channel = s.settings.DefaultChannel
	}
	if !slices.Contains(channels, channel) {
		return contract.Notification{}, framework.Errorf(framework.CodeInvalidArgument,
			"channel %q is not one of %s", channel, strings.Join(channels, ", "))
	}
	recipient, subject = strings.TrimSpace(recipient), strings.TrimSpace(subject)
	if recipient == "" {
		return contract.Notification{}, framework.Errorf(framework.CodeInvalidArgument, "recipient is required")
	}
	if subject == "" {
		return contract.Notification{}, framework.Errorf(framework.CodeInvalidArgument, "subject is required")
	}
	var n contract.Notification
	err := s.db.IntegritySession(ctx, "enqueue notification", func(tx *framework.Tx) error {
		now := formatTime(s.now())
		res, err := tx.Exec(insertSQL, nil, channel, recipient, subject, body, now, now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		n, err = lookup(tx.QueryRow(selectSQL, id), id)
		return err
	})
	if err != nil {
		return contract.Notification{}, internal(err, "enqueueing a notification to %s", recipient)
	}
	return n, nil
}

// Get returns the notification with the given id.
func (s *Service) Get(ctx context.Context, id int64) (contract.Notification, error) {
	return lookup(s.db.QueryRow(ctx, selectSQL, id), id)
}

// List returns notifications newest first, only those in status unless it
// is empty. A limit of 0 means the page_size setting.
func (s *Service) List(ctx context.Context, status contract.Status, limit int) ([]contract.Notification, error) {
	if status != "" && !status.Valid() {
		return nil, framework.Errorf(framework.CodeInvalidArgument, "unknown status %q (want pending, sent or failed)", status)
	}
	if limit == 0 {
		limit = s.settings.PageSize
	}
	if limit < 1 || limit > maxListLimit {
		return nil, framework.Errorf(framework.CodeInvalidArgument, "limit %d is outside 1..%d", limit, maxListLimit)
	}
	rows, err := s.db.Query(ctx, listSQL, status, status, limit)
	if err != nil {
		return nil, internal(err, "listing notifications")
	}
	defer rows.Close()
	out := []contract.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, internal(err, "listing notifications")
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "listing notifications")
	}
	return out, nil
}

// RecordAttempt records the outcome of a delivery attempt of a pending
// notification: delivered makes it sent; a failure keeps it pending for a
// retry until max_attempts failures make it failed.
func (s *Service) RecordAttempt(ctx context.Context, id int64, delivered bool, reason string) (contract.Notification, error) {
	reason = strings.TrimSpace(reason)
	if !delivered && reason == "" {
		reason = "delivery failed"
	}
	if delivered {
		reason = ""
	}
	var after contract.Notification
	err := s.db.IntegritySession(ctx, "record delivery attempt", func(tx *framework.Tx) error {
		before, err := lookup(tx.QueryRow(selectSQL, id), id)
		if err != nil {
			return err
		}
		if before.Status != contract.StatusPending {
			return framework.Errorf(contract.CodeAlreadyFinal,
				"notification %d is already %s after %d attempts; no further attempt is recorded", id, before.Status, before.Attempts)
		}
		attempt := before.Attempts + 1
		status := contract.StatusPending
		switch {
		case delivered:
			status = contract.StatusSent
		case attempt >= s.settings.MaxAttempts:
			status = contract.StatusFailed
		}
		now := formatTime(s.now())
		if _, err := tx.Exec(updateDeliverySQL, status, attempt, reason, now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(insertAttemptSQL, id, attempt, delivered, reason, now); err != nil {
			return err
		}
		after, err = lookup(tx.QueryRow(selectSQL, id), id)
		return err
	})
	if err != nil {
		return contract.Notification{}, internal(err, "recording an attempt of notification %d", id)
	}
	if after.Status == contract.StatusFailed {
		s.log.Warn("notification given up", "notification", id, "attempts", after.Attempts, "last_error", after.LastError)
	}
	return after, nil
}

// Attempts returns the delivery attempts of a notification, oldest first.
func (s *Service) Attempts(ctx context.Context, id int64) ([]contract.Attempt, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, listAttemptsSQL, id)
	if err != nil {
		return nil, internal(err, "reading the attempts of notification %d", id)
	}
	defer rows.Close()
	out := []contract.Attempt{}
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, internal(err, "reading the attempts of notification %d", id)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "reading the attempts of notification %d", id)
	}
	return out, nil
}

// ReportFailedRuns asks standard.audit, through its contract, for the
// failed runs and enqueues a notification to ops_recipient for each failed
// attempt not reported yet. A retried run that fails again is reported
// again. It returns the number of notifications enqueued.
func (s *Service) ReportFailedRuns(ctx context.Context) (int, error) {
	runs, err := s.audit.ListRuns(ctx, auditcontract.StatusFailed, maxReportedRuns)
	if err != nil {
		return 0, framework.Errorf(framework.CodeUnavailable, "notifications: listing failed audit runs: %w", err)
	}
	if len(runs) == 0 {
		return 0, nil
	}
	enqueued := 0
	err = s.db.IntegritySession(ctx, "report failed audit runs", func(tx *framework.Tx) error {
		now := formatTime(s.now())
		for _, run := range runs {
			ref := fmt.Sprintf("audit.run.%d.attempt.%d", run.ID, run.Attempts)
			subject := fmt.Sprintf("audit run %d (%s) failed on attempt %d", run.ID, run.Target, run.Attempts)
			res, err := tx.Exec(insertSQL, ref, s.settings.DefaultChannel, s.settings.OpsRecipient, subject, run.LastError, now, now)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			enqueued += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, internal(err, "reporting failed audit runs")
	}
	if enqueued > 0 {
		s.log.Info("failed audit runs reported", "enqueued", enqueued, "recipient", s.settings.OpsRecipient)
	}
	return enqueued, nil
}

// Counts returns the number of notifications in each status.
func (s *Service) Counts(ctx context.Context) (contract.Counts, error) {
	rows, err := s.db.Query(ctx, countSQL)
	if err != nil {
		return contract.Counts{}, internal(err, "counting notifications")
	}
	defer rows.Close()
	var c contract.Counts
	for rows.Next() {
		var status contract.Status
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return contract.Counts{}, internal(err, "counting notifications")
		}
		switch status {
		case contract.StatusPending:
			c.Pending = n
		case contract.StatusSent:
			c.Sent = n
		case contract.StatusFailed:
			c.Failed = n
		}
		c.Total += n
	}
	if err := rows.Err(); err != nil {
		return contract.Counts{}, internal(err, "counting notifications")
	}
	return c, nil
}
