package notifications

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modls/modls/examples/app/modules/standard/notifications/contract"
	"github.com/modls/modls/framework"
)

// timeLayout stores times as fixed-width UTC text, so that they sort as
// strings in the order they happened.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanNotification(row scanner) (contract.Notification, error) {
	var n contract.Notification
	var created, updated string
	if err := row.Scan(&n.ID, &n.Ref, &n.Channel, &n.Recipient, &n.Subject, &n.Body,
		&n.Status, &n.Attempts, &n.LastError, &created, &updated); err != nil {
		return contract.Notification{}, err
	}
	var err error
	if n.CreatedAt, err = parseTime(created); err != nil {
		return contract.Notification{}, err
	}
	if n.UpdatedAt, err = parseTime(updated); err != nil {
		return contract.Notification{}, err
	}
	return n, nil
}

func scanAttempt(row scanner) (contract.Attempt, error) {
	var a contract.Attempt
	var at string
	if err := row.Scan(&a.ID, &a.NotificationID, &a.Attempt, &a.Delivered, &a.Error, &at); err != nil {
		return contract.Attempt{}, err
	}
	var err error
	a.At, err = parseTime(at)
	return a, err
}

// lookup reads one notification, answering not_found for a missing one.
func lookup(row *sql.Row, id int64) (contract.Notification, error) {
	n, err := scanNotification(row)
	if errors.Is(err, sql.ErrNoRows) {
		return contract.Notification{}, framework.Errorf(framework.CodeNotFound, "notification %d does not exist", id)
	}
	if err != nil {
		return contract.Notification{}, internal(err, "reading notification %d", id)
	}
	return n, nil
}

// internal wraps a failure the caller cannot act on as an internal error. A
// *framework.Error passes through unchanged so that its code reaches the
// caller.
func internal(err error, format string, args ...any) error {
	var fe *framework.Error
	if errors.As(err, &fe) {
		return fe
	}
	return framework.Errorf(framework.CodeInternal, "notifications: %s: %w", fmt.Sprintf(format, args...), err)
}
