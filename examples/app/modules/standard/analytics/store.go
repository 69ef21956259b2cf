package analytics

import (
	"errors"
	"fmt"
	"time"

	"github.com/modls/modls/examples/app/modules/standard/analytics/contract"
	"github.com/modls/modls/framework"
)

// timeLayout stores times as fixed-width UTC text, so that they compare as
// strings in the order they happened.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanEvent(row scanner) (contract.Event, error) {
	var e contract.Event
	var at string
	if err := row.Scan(&e.ID, &e.Name, &e.Source, &at); err != nil {
		return contract.Event{}, err
	}
	t, err := time.Parse(timeLayout, at)
	if err != nil {
		return contract.Event{}, fmt.Errorf("stored time %q: %w", at, err)
	}
	e.OccurredAt = t
	return e, nil
}

// internal wraps a failure the caller cannot act on as an internal error. A
// *framework.Error passes through unchanged so that its code reaches the
// caller.
func internal(err error, format string, args ...any) error {
	var fe *framework.Error
	if errors.As(err, &fe) {
		return fe
	}
	return framework.Errorf(framework.CodeInternal, "analytics: %s: %w", fmt.Sprintf(format, args...), err)
}
