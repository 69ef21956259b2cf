package audit

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// maxListLimit bounds the limit a caller may ask ListRuns for.
const maxListLimit = 1000

// Service is the audit service, registered as "audit.service". Its methods
// return *framework.Error values only.
type Service struct {
	settings *Settings
	db       *framework.DB
	log      *slog.Logger
	now      func() time.Time
}

var _ contract.Auditor = (*Service)(nil)

func newService(settings *Settings) *Service {
	return &Service{settings: settings, now: time.Now}
}

// start gives the service what it uses once the application runs.
func (s *Service) start(db *framework.DB, log *slog.Logger) {
	s.db = db
	s.log = log
}

// CreateRun creates a pending run for target.
func (s *Service) CreateRun(ctx context.Context, target string) (contract.Run, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return contract.Run{}, framework.Errorf(framework.CodeInvalidArgument, "target is required")
	}
	if n := utf8.RuneCountInString(target); n > s.settings.MaxTargetLength {
		return contract.Run{}, framework.Errorf(framework.CodeInvalidArgument,
			"target is %d characters long; the limit is %d (max_target_length)", n, s.settings.MaxTargetLength)
	}
	now := formatTime(s.now())
	var run contract.Run
	err := s.db.IntegritySession(ctx, "create audit run", func(tx *framework.Tx) error {
		res, err := tx.Exec(insertRunSQL, target, now, now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(insertEventSQL, id, "", contract.StatusPending, 0, "created", now); err != nil {
			return err
		}
		run, err = lookupRun(tx.QueryRow(selectRunSQL, id), id)
		return err
	})
	if err != nil {
		return contract.Run{}, internal(err, "creating a run for %q", target)
	}
	s.log.Info("audit run created", "run", run.ID, "target", run.Target)
	return run, nil
}

// GetRun returns the run with the given id.
func (s *Service) GetRun(ctx context.Context, id int64) (contract.Run, error) {
	return lookupRun(s.db.QueryRow(ctx, selectRunSQL, id), id)
}

// ListRuns returns runs newest first, only those in status unless status is
// empty. A limit of 0 means the page_size setting.
func (s *Service) ListRuns(ctx context.Context, status contract.Status, limit int) ([]contract.Run, error) {
	if status != "" && !status.Valid() {
		return nil, unknownStatus(status)
	}
	if limit == 0 {
		limit = s.settings.PageSize
	}
	if limit < 1 || limit > maxListLimit {
		return nil, framework.Errorf(framework.CodeInvalidArgument, "limit %d is outside 1..%d", limit, maxListLimit)
	}
	rows, err := s.db.Query(ctx, listRunsSQL, status, status, limit)
	if err != nil {
		return nil, internal(err, "listing runs")
	}
	defer rows.Close()
	runs := []contract.Run{}
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return nil, internal(err, "listing runs")
		}
		runs = append(runs, run)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "listing runs")
	}
	return runs, nil
}

// Transition moves a run to status to, following the state machine, and
// records the move with note in the run's history. Moving a failed run to
// running is a retry and counts an attempt.
func (s *Service) Transition(ctx context.Context, id int64, to contract.Status, note string) (contract.Run, error) {
	if !to.Valid() {
		return contract.Run{}, unknownStatus(to)
	}
	var before, after contract.Run
	err := s.db.IntegritySession(ctx, "transition audit run", func(tx *framework.Tx) error {
		var err error
		before, err = lookupRun(tx.QueryRow(selectRunSQL, id), id)
		if err != nil {
			return err
		}
		attempts, err := step(before, to, s.settings.MaxAttempts)
		if err != nil {
			return err
		}
		lastError := before.LastError
		if to == contract.StatusFailed {
			lastError = note
		}
		now := formatTime(s.now())
		if _, err := tx.Exec(updateRunSQL, to, attempts, lastError, now, id, before.Status); err != nil {
			return err
		}
		if _, err := tx.Exec(insertEventSQL, id, before.Status, to, attempts, note, now); err != nil {
			return err
		}
		after, err = lookupRun(tx.QueryRow(selectRunSQL, id), id)
		return err
	})
	if err != nil {
		return contract.Run{}, internal(err, "moving audit run %d to %s", id, to)
	}
	s.log.Info("audit run moved", "run", id, "from", before.Status, "to", after.Status, "attempt", after.Attempts)
	return after, nil
}

// Events returns the history of a run, oldest first.
func (s *Service) Events(ctx context.Context, runID int64) ([]contract.Event, error) {
	if _, err := s.GetRun(ctx, runID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, listEventsSQL, runID)
	if err != nil {
		return nil, internal(err, "reading the history of audit run %d", runID)
	}
	defer rows.Close()
	events := []contract.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, internal(err, "reading the history of audit run %d", runID)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "reading the history of audit run %d", runID)
	}
	return events, nil
}

// Counts returns the number of runs in each status.
func (s *Service) Counts(ctx context.Context) (contract.Counts, error) {
	rows, err := s.db.Query(ctx, countRunsSQL)
	if err != nil {
		return contract.Counts{}, internal(err, "counting runs")
	}
	defer rows.Close()
	var c contract.Counts
	for rows.Next() {
		var status contract.Status
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return contract.Counts{}, internal(err, "counting runs")
		}
		switch status {
		case contract.StatusPending:
			c.Pending = n
		case contract.StatusRunning:
			c.Running = n
		case contract.StatusCompleted:
			c.Completed = n
		case contract.StatusFailed:
			c.Failed = n
		}
		c.Total += n
	}
	if err := rows.Err(); err != nil {
		return contract.Counts{}, internal(err, "counting runs")
	}
	return c, nil
}

func unknownStatus(s contract.Status) error {
	return framework.Errorf(framework.CodeInvalidArgument, "unknown status %q (want %s)", s, describe(contract.Statuses()))
}
