package audit

// The module's schema, one migration per statement. Append new statements;
// never edit one that has shipped.
const (
	createRunsTable = `CREATE TABLE audit_runs (
	id         INTEGER PRIMARY KEY,
	target     TEXT    NOT NULL,
	status     TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
	attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
)`
	createEventsTable = `CREATE TABLE audit_events (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES audit_runs (id) ON DELETE CASCADE,
	from_status TEXT    NOT NULL,
	to_status   TEXT    NOT NULL,
	attempt     INTEGER NOT NULL,
	note        TEXT    NOT NULL DEFAULT '',
	created_at  TEXT    NOT NULL
)`
	createRunsStatusIndex = `CREATE INDEX audit_runs_status ON audit_runs (status)`
	createEventsRunIndex  = `CREATE INDEX audit_events_run ON audit_events (run_id)`
)

// Queries. Every value is a ? parameter.
const (
	insertRunSQL = `INSERT INTO audit_runs (target, status, attempts, last_error, created_at, updated_at)
VALUES (?, 'pending', 0, '', ?, ?)`
	insertEventSQL = `INSERT INTO audit_events (run_id, from_status, to_status, attempt, note, created_at)
VALUES (?, ?, ?, ?, ?, ?)`
	updateRunSQL = `UPDATE audit_runs SET status = ?, attempts = ?, last_error = ?, updated_at = ?
WHERE id = ? AND status = ?`
	selectRunSQL = `SELECT id, target, status, attempts, last_error, created_at, updated_at
FROM audit_runs WHERE id = ?`
	listRunsSQL = `SELECT id, target, status, attempts, last_error, created_at, updated_at
FROM audit_runs WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?`
	listEventsSQL = `SELECT id, run_id, from_status, to_status, attempt, note, created_at
FROM audit_events WHERE run_id = ? ORDER BY id`
	countRunsSQL = `SELECT status, count(*) FROM audit_runs GROUP BY status`
)
