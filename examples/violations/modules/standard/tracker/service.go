package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	billing "example.com/violations/modules/standard/billing/contract"
	inventory "example.com/violations/modules/standard/inventory/contract" // want MOD010 "import of the contract of standard.inventory, which is not a declared dependency"
	"github.com/modls/modls/framework"
)

// Service is the "tracker.events" service.
type Service struct {
	db       *framework.DB
	raw      *sql.DB
	invoices billing.Invoices
	stock    inventory.Stock
}

// Event is one tracked event.
type Event struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Amount    int64  `json:"amount"`
	InvoiceID int64  `json:"invoice_id,omitempty"`
}

// EventList is a page of events.
type EventList struct {
	Events []Event `json:"events"`
}

// Stats counts events.
type Stats struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Top   []string `json:"top"`
}

func invalid(format string, args ...any) *framework.Error {
	return framework.Errorf(framework.CodeInvalidArgument, format, args...)
}

// internal returns the *framework.Error in err's chain, if there is one, and
// otherwise wraps err as an internal error that says what failed.
func internal(err error, what string) *framework.Error {
	var fe *framework.Error
	if errors.As(err, &fe) {
		return fe
	}
	return framework.Errorf(framework.CodeInternal, "%s: %w", what, err)
}

// Track records an event and bills its amount, if any, to its name.
func (s *Service) Track(ctx context.Context, name string, amount int64) (Event, error) {
	if name == "" {
		return Event{}, invalid("event name is empty")
	}
	if amount < 0 {
		return Event{}, invalid("amount %d is negative", amount)
	}
	ev := Event{Name: name, Amount: amount}
	if amount > 0 {
		inv, err := s.invoices.Create(ctx, name, amount)
		if err != nil {
			return Event{}, internal(err, "billing the event")
		}
		ev.InvoiceID = inv.ID
	}
	err := s.db.IntegritySession(ctx, "track event", func(tx *framework.Tx) error {
		res, err := tx.Exec(`INSERT INTO tracker_events (name, amount, invoice_id) VALUES (?, ?, nullif(?, 0))`, name, amount, ev.InvoiceID)
		if err != nil {
			return err
		}
		ev.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Event{}, internal(err, "recording the event")
	}
	return ev, nil
}

// Recent returns the most recent events, newest first.
func (s *Service) Recent(ctx context.Context, limit int) (EventList, error) {
	if limit < 1 || limit > 500 {
		return EventList{}, invalid("limit %d is outside 1..500", limit)
	}
	rows, err := s.db.Query(ctx, `SELECT id, name, amount, coalesce(invoice_id, 0) FROM tracker_events ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return EventList{}, internal(err, "listing events")
	}
	return scanEvents(rows)
}

func scanEvents(rows *sql.Rows) (EventList, error) {
	defer rows.Close()
	list := EventList{Events: []Event{}}
	for rows.Next() {
		var ev Event
		if err := rows.Scan(&ev.ID, &ev.Name, &ev.Amount, &ev.InvoiceID); err != nil {
			return EventList{}, internal(err, "reading events")
		}
		list.Events = append(list.Events, ev)
	}
	if err := rows.Err(); err != nil {
		return EventList{}, internal(err, "reading events")
	}
	return list, nil
}

// Stats counts the events of a name and lists the names with the largest
// amounts.
func (s *Service) Stats(ctx context.Context, name string) (Stats, error) {
	if name == "" {
		return Stats{}, invalid("event name is empty")
	}
	st := Stats{Name: name, Top: []string{}}
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM tracker_event WHERE name = ?`, name).Scan(&st.Count); err != nil { // want MOD006 "no such table: tracker_event"
		return Stats{}, internal(err, "counting events")
	}
	rows, err := s.db.Query(ctx, `SELECT name FROM tracker_events GROUP BY name ORDER BY sum(amout) DESC LIMIT 5`) // want MOD006 "no such column: amout"
	if err != nil {
		return Stats{}, internal(err, "ranking events")
	}
	defer rows.Close()
	for rows.Next() {
		var top string
		if err := rows.Scan(&top); err != nil {
			return Stats{}, internal(err, "ranking events")
		}
		st.Top = append(st.Top, top)
	}
	if err := rows.Err(); err != nil {
		return Stats{}, internal(err, "ranking events")
	}
	return st, nil
}

// Search returns the events whose name starts with prefix, ordered by the
// column orderBy.
func (s *Service) Search(ctx context.Context, prefix, orderBy string) (EventList, error) {
	if prefix == "" {
		return EventList{}, invalid("prefix is empty")
	}
	var rows *sql.Rows
	var err error
	if orderBy == "" {
		rows, err = s.db.Query(ctx, "SELECT id, name, amount, coalesce(invoice_id, 0) FROM tracker_events WHERE name LIKE '"+prefix+"%'") // want MOD006 `SQL built from a non-constant string; pass values as \? parameters`
	} else {
		rows, err = s.db.Query(ctx, fmt.Sprintf("SELECT id, name, amount, coalesce(invoice_id, 0) FROM tracker_events WHERE name LIKE ? ORDER BY %s", orderBy), prefix+"%") // want MOD006 `SQL built from a non-constant string; pass values as \? parameters`
	}
	if err != nil {
		return EventList{}, internal(err, "searching events")
	}
	return scanEvents(rows)
}

// Touch records an event without an amount.
func (s *Service) Touch(ctx context.Context, name string) error {
	if name == "" {
		return invalid("event name is empty")
	}
	rows, err := s.db.Query(ctx, `INSERT INTO tracker_events (name) VALUES (?)`, name) // want MOD005 `database write \(INSERT\) through DB.Query outside an IntegritySession`
	if err != nil {
		return internal(err, "recording the event")
	}
	return rows.Close()
}

// Forget deletes an event.
func (s *Service) Forget(ctx context.Context, id int64) error {
	if id <= 0 {
		return invalid("event id %d is not positive", id)
	}
	var gone int64
	err := s.db.QueryRow(ctx, `DELETE FROM tracker_events WHERE id = ? RETURNING id`, id).Scan(&gone) // want MOD005 `database write \(DELETE\) through DB.QueryRow outside an IntegritySession`
	if errors.Is(err, sql.ErrNoRows) {
		return framework.Errorf(framework.CodeNotFound, "no event %d", id)
	}
	if err != nil {
		return internal(err, "deleting the event")
	}
	return nil
}

// Adjust adds delta to an event's amount.
func (s *Service) Adjust(ctx context.Context, id, delta int64) error {
	if id <= 0 {
		return invalid("event id %d is not positive", id)
	}
	if err := adjustAmount(ctx, s.raw, id, delta); err != nil {
		return internal(err, "adjusting the event")
	}
	return nil
}

// adjustAmount writes through the module's own *sql.DB.
func adjustAmount(ctx context.Context, db *sql.DB, id, delta int64) error {
	_, err := db.ExecContext(ctx, `UPDATE tracker_events SET amount = amount + ? WHERE id = ?`, delta, id) // want MOD005 `database write \(UPDATE\) through \(\*sql.DB\).ExecContext outside an IntegritySession`
	return err
}
