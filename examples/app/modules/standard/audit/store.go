package audit

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
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

func scanRun(row scanner) (contract.Run, error) {
	var r contract.Run
	var created, updated string
	if err := row.Scan(&r.ID, &r.Target, &r.Status, &r.Attempts, &r.LastError, &created, &updated); err != nil {
		return contract.Run{}, err
	}
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return contract.Run{}, err
	}
	if r.UpdatedAt, err = parseTime(updated); err != nil {
		return contract.Run{}, err
	}
	return r, nil
}

func scanEvent(row scanner) (contract.Event, error) {
	var e contract.Event
	var at string
	if err := row.Scan(&e.ID, &e.RunID, &e.From, &e.To, &e.Attempt, &e.Note, &at); err != nil {
		return contract.Event{}, err
	}
	var err error
	e.At, err = parseTime(at)
	return e, err
}

// lookupRun reads one run, answering not_found for a missing one.
func lookupRun(row *sql.Row, id int64) (contract.Run, error) {
	run, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return contract.Run{}, framework.Errorf(framework.CodeNotFound, "audit run %d does not exist", id)
	}
	if err != nil {
		return contract.Run{}, internal(err, "reading audit run %d", id)
	}
	return run, nil
}

// internal wraps a failure the caller cannot act on as an internal error. A
// *framework.Error passes through unchanged so that its code reaches the
// caller.
func internal(err error, format string, args ...any) error {
	var fe *framework.Error
	if errors.As(err, &fe) {
		return fe
	}
	return framework.Errorf(framework.CodeInternal, "audit: %s: %w", fmt.Sprintf(format, args...), err)
}
