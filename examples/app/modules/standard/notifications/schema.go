package notifications

// The module's schema, one migration per statement. Append new statements;
// never edit one that has shipped.
const (
	createOutboxTable = `CREATE TABLE notifications_outbox (
	id         INTEGER PRIMARY KEY,
	ref        TEXT    UNIQUE,
	channel    TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
	recipient  TEXT    NOT NULL,
	subject    TEXT    NOT NULL,
	body       TEXT    NOT NULL DEFAULT '',
	status     TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
)`
	createAttemptsTable = `CREATE TABLE notifications_attempts (
	id              INTEGER PRIMARY KEY,
	notification_id INTEGER NOT NULL REFERENCES notifications_outbox (id) ON DELETE CASCADE,
	attempt         INTEGER NOT NULL,
	delivered       INTEGER NOT NULL CHECK (delivered IN (0, 1)),
	error           TEXT    NOT NULL DEFAULT '',
	created_at      TEXT    NOT NULL
)`
	createOutboxStatusIndex = `CREATE INDEX notifications_outbox_status ON notifications_outbox (status)`
	createAttemptsIndex     = `CREATE INDEX notifications_attempts_notification ON notifications_attempts (notification_id)`
)

// Queries. Every value is a ? parameter.
const (
	insertSQL = `INSERT INTO notifications_outbox (ref, channel, recipient, subject, body, status, attempts, last_error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'pending', 0, '', ?, ?)
ON CONFLICT (ref) DO NOTHING`
	selectSQL = `SELECT id, coalesce(ref, ''), channel, recipient, subject, body, status, attempts, last_error, created_at, updated_at
FROM notifications_outbox WHERE id = ?`
	listSQL = `SELECT id, coalesce(ref, ''), channel, recipient, subject, body, status, attempts, last_error, created_at, updated_at
FROM notifications_outbox WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?`
	updateDeliverySQL = `UPDATE notifications_outbox SET status = ?, attempts = ?, last_error = ?, updated_at = ?
WHERE id = ? AND status = 'pending'`
	insertAttemptSQL = `INSERT INTO notifications_attempts (notification_id, attempt, delivered, error, created_at)
VALUES (?, ?, ?, ?, ?)`
	listAttemptsSQL = `SELECT id, notification_id, attempt, delivered, error, created_at
FROM notifications_attempts WHERE notification_id = ? ORDER BY id`
	countSQL = `SELECT status, count(*) FROM notifications_outbox GROUP BY status`
)
