package analytics

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/modls/modls/examples/app/modules/standard/analytics/contract"
	auditcontract "github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// maxRecent bounds the limit a caller may ask Recent for.
const maxRecent = 1000

// Service is the analytics service, registered as "analytics.service". Its
// methods return *framework.Error values only.
type Service struct {
	settings *Settings
	db       *framework.DB
	audit    auditcontract.Auditor
	log      *slog.Logger
	now      func() time.Time
}

var _ contract.Tracker = (*Service)(nil)

func newService(settings *Settings) *Service {
	return &Service{settings: settings, now: time.Now}
}

// start gives the service what it uses once the application runs.
func (s *Service) start(db *framework.DB, audit auditcontract.Auditor, log *slog.Logger) {
	s.db = db
	s.audit = audit
	s.log = log
}

// Track records an event named name from source, which must be one of the
// sources setting. Names are lowercase letters, digits, '.', '_' and '-'.
func (s *Service) Track(ctx context.Context, name, source string) (contract.Event, error) {
	if err := s.checkName(name); err != nil {
		return contract.Event{}, err
	}
	if !slices.Contains(s.settings.Sources, source) {
		return contract.Event{}, framework.Errorf(framework.CodeInvalidArgument,
			"source %q is not one of the sources setting (%s)", source, strings.Join(s.settings.Sources, ", "))
	}
	at := s.now().UTC()
	var id int64
	err := s.db.IntegritySession(ctx, "track event", func(tx *framework.Tx) error {
		res, err := tx.Exec(insertEventSQL, name, source, formatTime(at))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return contract.Event{}, internal(err, "recording event %q", name)
	}
	return contract.Event{ID: id, Name: name, Source: source, OccurredAt: at.Truncate(time.Microsecond)}, nil
}

func (s *Service) checkName(name string) error {
	if name == "" {
		return framework.Errorf(framework.CodeInvalidArgument, "event name is required")
	}
	if len(name) > s.settings.MaxNameLength {
		return framework.Errorf(framework.CodeInvalidArgument,
			"event name is %d bytes long; the limit is %d (max_name_length)", len(name), s.settings.MaxNameLength)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return framework.Errorf(framework.CodeInvalidArgument,
				"event name %q has %q; use lowercase letters, digits, '.', '_' and '-'", name, r)
		}
	}
	return nil
}

// Recent returns the latest events, newest first.
func (s *Service) Recent(ctx context.Context, limit int) ([]contract.Event, error) {
	if limit < 1 || limit > maxRecent {
		return nil, framework.Errorf(framework.CodeInvalidArgument, "limit %d is outside 1..%d", limit, maxRecent)
	}
	rows, err := s.db.Query(ctx, recentSQL, limit)
	if err != nil {
		return nil, internal(err, "listing events")
	}
	defer rows.Close()
	events := []contract.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, internal(err, "listing events")
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "listing events")
	}
	return events, nil
}

// Summary combines the event counts with the run counts standard.audit
// reports through its contract.
func (s *Service) Summary(ctx context.Context) (contract.Summary, error) {
	total, _, err := s.counts(ctx)
	if err != nil {
		return contract.Summary{}, err
	}
	top, err := s.topNames(ctx)
	if err != nil {
		return contract.Summary{}, err
	}
	runs, err := s.audit.Counts(ctx)
	if err != nil {
		return contract.Summary{}, framework.Errorf(framework.CodeUnavailable, "analytics: audit run counts: %w", err)
	}
	sum := contract.Summary{Events: total, Top: top, AuditRuns: runs}
	if finished := runs.Completed + runs.Failed; finished > 0 {
		sum.RunFailureRate = float64(runs.Failed) / float64(finished)
	}
	if runs.Total > 0 {
		sum.EventsPerRun = float64(total) / float64(runs.Total)
	}
	return sum, nil
}

// Prune deletes the events older than retention_days and returns how many
// it deleted.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	cutoff := s.now().AddDate(0, 0, -s.settings.RetentionDays)
	var deleted int64
	err := s.db.IntegritySession(ctx, "prune events", func(tx *framework.Tx) error {
		res, err := tx.Exec(pruneSQL, formatTime(cutoff))
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, internal(err, "pruning events")
	}
	if deleted > 0 {
		s.log.Info("events pruned", "deleted", deleted, "before", cutoff.UTC().Format(time.RFC3339))
	}
	return deleted, nil
}

// counts returns the number of events and of distinct event names.
func (s *Service) counts(ctx context.Context) (events, names int64, err error) {
	if err := s.db.QueryRow(ctx, countSQL).Scan(&events, &names); err != nil {
		return 0, 0, internal(err, "counting events")
	}
	return events, names, nil
}

func (s *Service) topNames(ctx context.Context) ([]contract.NameCount, error) {
	rows, err := s.db.Query(ctx, topNamesSQL, s.settings.TopNames)
	if err != nil {
		return nil, internal(err, "counting event names")
	}
	defer rows.Close()
	top := []contract.NameCount{}
	for rows.Next() {
		var nc contract.NameCount
		if err := rows.Scan(&nc.Name, &nc.Count); err != nil {
			return nil, internal(err, "counting event names")
		}
		top = append(top, nc)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "counting event names")
	}
	return top, nil
}
