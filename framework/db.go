package framework

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// database is the application's one connection pool, shared by the modules
// through their module-scoped *DB handles.
type database struct {
	sql *sql.DB
	// writeMu serialises IntegritySessions: SQLite has one writer at a time,
	// and queueing here is cheaper than retrying SQLITE_BUSY.
	writeMu sync.Mutex
}

func openDatabase(path string) (*database, error) {
	if path == "" {
		path = ":memory:"
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	memory := path == ":memory:"
	if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	db, err := sql.Open("sqlite", "file:"+escapeURIPath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if memory {
		// Every connection to :memory: is a database of its own.
		db.SetMaxOpenConns(1)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	d := &database{sql: db}
	if err := d.bootstrap(); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return d, nil
}

// escapeURIPath escapes the characters that would end or alter the path of
// a SQLite URI filename ("file:<path>?<params>"); SQLite decodes them again.
func escapeURIPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

func (d *database) bootstrap() error {
	_, err := d.sql.Exec(`
CREATE TABLE IF NOT EXISTS framework_migrations (
	module     TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	checksum   TEXT    NOT NULL,
	applied_at TEXT    NOT NULL,
	PRIMARY KEY (module, version)
);
CREATE TABLE IF NOT EXISTS framework_integrity_log (
	id          INTEGER PRIMARY KEY,
	module      TEXT    NOT NULL,
	purpose     TEXT    NOT NULL,
	outcome     TEXT    NOT NULL CHECK (outcome IN ('committed', 'rolled_back')),
	error       TEXT    NOT NULL DEFAULT '',
	duration_us INTEGER NOT NULL,
	created_at  TEXT    NOT NULL
);`)
	return err
}

// migrate applies the module's statements that have not been applied yet,
// each in its own transaction, and refuses a statement that changed after
// it was applied.
func (d *database) migrate(ctx context.Context, module string, stmts []string) error {
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	applied := map[int]string{}
	rows, err := d.sql.QueryContext(ctx, `SELECT version, checksum FROM framework_migrations WHERE module = ?`, module)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return err
		}
		applied[v] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, stmt := range stmts {
		version := i + 1
		sum := checksum(stmt)
		if prev, ok := applied[version]; ok {
			if prev != sum {
				return fmt.Errorf("%s: migration %d changed after it was applied; add a new migration instead", module, version)
			}
			continue
		}
		tx, err := d.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: migration %d: %w", module, version, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO framework_migrations (module, version, checksum, applied_at) VALUES (?, ?, ?, ?)`,
			module, version, sum, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("%s: migration %d: %w", module, version, err)
		}
	}
	return nil
}

func checksum(s string) string {
	h := sha256.Sum256([]byte(strings.TrimSpace(s)))
	return hex.EncodeToString(h[:8])
}

// DB is a module's handle on the application database. Reads may use Query
// and QueryRow directly; every write goes through IntegritySession.
type DB struct {
	d      *database
	module string
}

// Query runs a read-only query.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.d.sql.QueryContext(ctx, query, args...)
}

// QueryRow runs a read-only query that returns at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.d.sql.QueryRowContext(ctx, query, args...)
}

// Tx is the transaction of an IntegritySession.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
}

// Exec runs a statement inside the session.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

// Query runs a query inside the session (it sees the session's writes).
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

// QueryRow runs a query that returns at most one row inside the session.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Session outcomes recorded in the integrity log.
const (
	OutcomeCommitted  = "committed"
	OutcomeRolledBack = "rolled_back"
)

// IntegritySession runs fn in one transaction. The transaction is rolled
// back if fn returns an error or panics (the panic becomes the returned
// error), and if a foreign key is left broken; otherwise it is committed.
// Either way one row is written to the integrity log naming the module, the
// purpose, the outcome and the duration. The row of a committed session is
// written in the session's own transaction, so a commit is never left
// unlogged; the row of a rolled-back session is written after the rollback.
func (db *DB) IntegritySession(ctx context.Context, purpose string, fn func(tx *Tx) error) error {
	if purpose == "" {
		return fmt.Errorf("%s: IntegritySession needs a purpose", db.module)
	}
	db.d.writeMu.Lock()
	defer db.d.writeMu.Unlock()
	start := time.Now()
	err := db.session(ctx, purpose, start, fn)
	if err != nil {
		// The session's error is what the caller needs; a failure to log
		// the rollback as well is left to the database's own error.
		db.d.sql.Exec(insertIntegrityLog, db.module, purpose, OutcomeRolledBack, logMessage(err),
			time.Since(start).Microseconds(), start.UTC().Format(time.RFC3339Nano))
	}
	return err
}

const insertIntegrityLog = `INSERT INTO framework_integrity_log (module, purpose, outcome, error, duration_us, created_at) VALUES (?, ?, ?, ?, ?, ?)`

func (db *DB) session(ctx context.Context, purpose string, start time.Time, fn func(tx *Tx) error) error {
	sqlTx, err := db.d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %s: begin: %w", db.module, purpose, err)
	}
	if err := runSession(&Tx{tx: sqlTx, ctx: ctx}, fn); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, rbErr)
		}
		return err
	}
	if err := checkForeignKeys(ctx, sqlTx); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("%s: %s: %w", db.module, purpose, err)
	}
	if _, err := sqlTx.ExecContext(ctx, insertIntegrityLog, db.module, purpose, OutcomeCommitted, "",
		time.Since(start).Microseconds(), start.UTC().Format(time.RFC3339Nano)); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("%s: %s: writing the integrity log: %w", db.module, purpose, err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("%s: %s: commit: %w", db.module, purpose, err)
	}
	return nil
}

func runSession(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panic's value goes to the integrity log, not into the
			// message a handler could send to a client.
			err = &Error{Code: CodeInternal, Message: "integrity session panicked", Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	return fn(tx)
}

// checkForeignKeys catches violations that foreign_keys=ON does not stop at
// the statement: deferred constraints and rows written with checks off.
func checkForeignKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("foreign key violation: a row of %s (rowid %d) references a missing row of %s", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// IntegrityRecord is one row of the integrity log.
type IntegrityRecord struct {
	Module     string        `json:"module"`
	Purpose    string        `json:"purpose"`
	Outcome    string        `json:"outcome"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	RecordedAt time.Time     `json:"recorded_at"`
}

// IntegrityLog returns the most recent sessions of this module, newest first.
func (db *DB) IntegrityLog(ctx context.Context, limit int) ([]IntegrityRecord, error) {
	return db.d.integrityLog(ctx, db.module, limit)
}

func (d *database) integrityLog(ctx context.Context, module string, limit int) ([]IntegrityRecord, error) {
	q := `SELECT module, purpose, outcome, error, duration_us, created_at FROM framework_integrity_log`
	var args []any
	if module != "" {
		q += ` WHERE module = ?`
		args = append(args, module)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IntegrityRecord
	for rows.Next() {
		var r IntegrityRecord
		var us int64
		var at string
		if err := rows.Scan(&r.Module, &r.Purpose, &r.Outcome, &r.Error, &us, &at); err != nil {
			return nil, err
		}
		r.Duration = time.Duration(us) * time.Microsecond
		r.RecordedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// logMessage is an error's text for the integrity log: an *Error's cause
// is added when its message does not already say it.
func logMessage(err error) string {
	msg := err.Error()
	var fe *Error
	if errors.As(err, &fe) && fe.Err != nil && !strings.Contains(msg, fe.Err.Error()) {
		msg += " (" + fe.Err.Error() + ")"
	}
	return msg
}
