package framework_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modls/modls/framework"
)

const (
	ledgerAccounts = `CREATE TABLE ledger_accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`
	ledgerEntries  = `CREATE TABLE ledger_entries (
		id         INTEGER PRIMARY KEY,
		account_id INTEGER NOT NULL REFERENCES ledger_accounts(id),
		amount     INTEGER NOT NULL
	)`
	ledgerNotes = `CREATE TABLE ledger_notes (
		id         INTEGER PRIMARY KEY,
		account_id INTEGER NOT NULL REFERENCES ledger_accounts(id) DEFERRABLE INITIALLY DEFERRED
	)`
)

// ledgerModule owns three tables; its App is handed back through app.
func ledgerModule(app **framework.App, migrations ...string) *mod {
	if migrations == nil {
		migrations = []string{ledgerAccounts, ledgerEntries, ledgerNotes}
	}
	return &mod{
		name:     "test.ledger",
		features: []string{"database"},
		setup:    func(s *framework.Setup) error { return s.Migrate(migrations...) },
		start: func(ctx context.Context, a *framework.App) error {
			if app != nil {
				*app = a
			}
			return nil
		},
	}
}

func bootLedger(t testing.TB, cfg framework.Config) (*framework.Runtime, *framework.DB) {
	t.Helper()
	var app *framework.App
	rt := boot(t, cfg, ledgerModule(&app))
	return rt, app.DB()
}

func count(t testing.TB, db *framework.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// lastRecord returns the newest integrity-log row of the module.
func lastRecord(t testing.TB, db *framework.DB) framework.IntegrityRecord {
	t.Helper()
	recs, err := db.IntegrityLog(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("got %d integrity records; want 1", len(recs))
	}
	return recs[0]
}

func TestIntegritySessionCommits(t *testing.T) {
	_, db := bootLedger(t, testConfig(t))
	ctx := context.Background()
	err := db.IntegritySession(ctx, "open account", func(tx *framework.Tx) error {
		res, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES (?)`, "alice")
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO ledger_entries (account_id, amount) VALUES (?, ?)`, id, 100); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM ledger_entries`).Scan(&n); err != nil || n != 1 {
			return fmt.Errorf("the session does not see its own write: n=%d err=%v", n, err)
		}
		rows, err := tx.Query(`SELECT name FROM ledger_accounts`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("IntegritySession: %v", err)
	}
	if n := count(t, db, "ledger_entries"); n != 1 {
		t.Errorf("got %d entries after commit; want 1", n)
	}
	rec := lastRecord(t, db)
	if rec.Module != "test.ledger" || rec.Purpose != "open account" || rec.Outcome != framework.OutcomeCommitted || rec.Error != "" {
		t.Errorf("got record %+v; want test.ledger, open account, committed, no error", rec)
	}
	if rec.Duration < 0 || rec.RecordedAt.IsZero() {
		t.Errorf("got duration %v recorded at %v; want a duration and a time", rec.Duration, rec.RecordedAt)
	}
}

func TestIntegritySessionRollsBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(tx *framework.Tx) error
		want string
	}{
		{"error", func(tx *framework.Tx) error {
			if _, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('bob')`); err != nil {
				return err
			}
			return framework.Errorf(framework.CodeConflict, "bob is banned")
		}, "conflict: bob is banned"},
		{"panic", func(tx *framework.Tx) error {
			if _, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('bob')`); err != nil {
				return err
			}
			panic("lost the plot")
		}, "integrity session panicked"},
		{"foreign key", func(tx *framework.Tx) error {
			if _, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('bob')`); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO ledger_entries (account_id, amount) VALUES (999, 1)`)
			return err
		}, "FOREIGN KEY constraint failed"},
		{"deferred foreign key", func(tx *framework.Tx) error {
			if _, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('bob')`); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO ledger_notes (account_id) VALUES (999)`)
			return err
		}, "foreign key violation"},
		{"constraint ignored by fn", func(tx *framework.Tx) error {
			tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('bob')`)
			tx.Exec(`INSERT INTO ledger_notes (account_id) VALUES (12345)`)
			return nil
		}, "ledger_notes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, db := bootLedger(t, testConfig(t))
			err := db.IntegritySession(context.Background(), "add bob", tc.fn)
			wantErr(t, err, tc.want)
			if n := count(t, db, "ledger_accounts"); n != 0 {
				t.Errorf("got %d accounts after rollback; want 0", n)
			}
			rec := lastRecord(t, db)
			if rec.Outcome != framework.OutcomeRolledBack || rec.Purpose != "add bob" || rec.Module != "test.ledger" {
				t.Errorf("got record %+v; want test.ledger, add bob, rolled_back", rec)
			}
			if !strings.HasPrefix(rec.Error, err.Error()) {
				t.Errorf("logged error %q; want it to start with %q", rec.Error, err)
			}
			if tc.name == "panic" {
				if strings.Contains(err.Error(), "lost the plot") || !strings.Contains(rec.Error, "panic: lost the plot") {
					t.Errorf("the panic value must be logged (%q) but kept out of the error's message (%q)", rec.Error, err)
				}
			}
			// The database stays usable after the rollback.
			if err := db.IntegritySession(context.Background(), "add carol", func(tx *framework.Tx) error {
				_, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('carol')`)
				return err
			}); err != nil {
				t.Errorf("session after rollback: %v", err)
			}
		})
	}
}

func TestIntegritySessionKeepsTheErrorChain(t *testing.T) {
	_, db := bootLedger(t, testConfig(t))
	sentinel := errors.New("sentinel")
	err := db.IntegritySession(context.Background(), "fail", func(*framework.Tx) error {
		return framework.Errorf(framework.CodeUnavailable, "upstream: %w", sentinel)
	})
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, sentinel) = false; want true", err)
	}
	if got := framework.HTTPStatus(err); got != 503 {
		t.Errorf("HTTPStatus = %d; want 503", got)
	}
	err = db.IntegritySession(context.Background(), "panic", func(*framework.Tx) error { panic(1) })
	if got := framework.AsError(err).Code; got != framework.CodeInternal {
		t.Errorf("panic error code %q; want internal", got)
	}
}

func TestIntegrityLogHasOneRowPerSession(t *testing.T) {
	rt, db := bootLedger(t, testConfig(t))
	ctx := context.Background()
	for i := range 5 {
		err := db.IntegritySession(ctx, fmt.Sprintf("session %d", i), func(tx *framework.Tx) error {
			if i%2 == 1 {
				return errors.New("odd")
			}
			_, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES (?)`, fmt.Sprint(i))
			return err
		})
		if (err != nil) != (i%2 == 1) {
			t.Fatalf("session %d: err = %v", i, err)
		}
	}
	recs, err := db.IntegrityLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("got %d records; want 5", len(recs))
	}
	for j, rec := range recs {
		i := 4 - j // newest first
		want := framework.OutcomeCommitted
		if i%2 == 1 {
			want = framework.OutcomeRolledBack
		}
		if rec.Purpose != fmt.Sprintf("session %d", i) || rec.Outcome != want {
			t.Errorf("record %d: got %q %q; want %q %q", j, rec.Purpose, rec.Outcome, fmt.Sprintf("session %d", i), want)
		}
	}
	// Sessions of another module are not in this module's log.
	other := appOf(t, rt, "core.settings").DB()
	if err := other.IntegritySession(ctx, "elsewhere", func(*framework.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if recs, _ := db.IntegrityLog(ctx, 100); len(recs) != 5 {
		t.Errorf("got %d records for test.ledger after another module's session; want 5", len(recs))
	}
}

func TestIntegritySessionNeedsAPurpose(t *testing.T) {
	_, db := bootLedger(t, testConfig(t))
	called := false
	err := db.IntegritySession(context.Background(), "", func(*framework.Tx) error { called = true; return nil })
	wantErr(t, err, "test.ledger: IntegritySession needs a purpose")
	if called {
		t.Error("the session function ran without a purpose")
	}
	if recs, _ := db.IntegrityLog(context.Background(), 10); len(recs) != 0 {
		t.Errorf("got %d integrity records; want 0", len(recs))
	}
}

func TestIntegritySessionWithCancelledContext(t *testing.T) {
	_, db := bootLedger(t, testConfig(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.IntegritySession(ctx, "too late", func(tx *framework.Tx) error {
		t.Error("the session function ran with a cancelled context")
		return nil
	})
	wantErr(t, err, "test.ledger: too late: begin", "context canceled")
	if rec := lastRecord(t, db); rec.Outcome != framework.OutcomeRolledBack {
		t.Errorf("got outcome %q; want rolled_back", rec.Outcome)
	}
}

func TestConcurrentSessionsAllCommit(t *testing.T) {
	_, db := bootLedger(t, testConfig(t))
	const workers, each = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- db.IntegritySession(context.Background(), "concurrent", func(tx *framework.Tx) error {
					_, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES (?)`, fmt.Sprintf("w%d-%d", w, i))
					return err
				})
			}
		}()
	}
	// Readers run alongside the writers.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var n int
				if err := db.QueryRow(context.Background(), `SELECT count(*) FROM ledger_accounts`).Scan(&n); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := count(t, db, "ledger_accounts"); n != workers*each {
		t.Errorf("got %d accounts; want %d", n, workers*each)
	}
	if n := count(t, db, "framework_integrity_log"); n != workers*each {
		t.Errorf("got %d integrity records; want %d", n, workers*each)
	}
}

func TestMemoryDatabase(t *testing.T) {
	cfg := testConfig(t)
	cfg.Database = ":memory:"
	_, db := bootLedger(t, cfg)
	ctx := context.Background()
	for _, name := range []string{"a", "b"} {
		if err := db.IntegritySession(ctx, "add", func(tx *framework.Tx) error {
			_, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES (?)`, name)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "ledger_accounts"); n != 2 {
		t.Errorf("got %d accounts; want 2", n)
	}
	rows, err := db.Query(ctx, `SELECT name FROM ledger_accounts ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		names = append(names, s)
	}
	rows.Close()
	if strings.Join(names, ",") != "a,b" {
		t.Errorf("got names %q; want a,b", names)
	}
	if entries, _ := os.ReadDir("."); len(entries) > 0 {
		for _, e := range entries {
			if strings.Contains(e.Name(), "memory") {
				t.Errorf("a file %s was created for :memory:", e.Name())
			}
		}
	}
}

func TestMigrationsApplyOnce(t *testing.T) {
	cfg := testConfig(t)
	ctx := context.Background()

	var app *framework.App
	rt, err := framework.Boot(ctx, cfg, ledgerModule(&app, ledgerAccounts))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.DB().IntegritySession(ctx, "seed", func(tx *framework.Tx) error {
		_, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('kept')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rt.Close(ctx)

	// Second boot: the applied migration is skipped (CREATE TABLE would fail
	// if it ran again) and the appended one is applied.
	rt, db := bootLedger(t, cfg)
	if n := count(t, db, "ledger_accounts"); n != 1 {
		t.Errorf("got %d accounts after reboot; want the 1 kept", n)
	}
	if n := count(t, db, "ledger_entries"); n != 0 {
		t.Errorf("got %d entries; want the new table empty", n)
	}
	var versions int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM framework_migrations WHERE module = 'test.ledger'`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != 3 {
		t.Errorf("got %d recorded migrations; want 3", versions)
	}
	_ = rt
}

func TestChangedMigrationIsRefused(t *testing.T) {
	cfg := testConfig(t)
	ctx := context.Background()
	rt, err := framework.Boot(ctx, cfg, ledgerModule(nil, ledgerAccounts))
	if err != nil {
		t.Fatal(err)
	}
	rt.Close(ctx)

	// Whitespace at the ends does not count as a change.
	rt, err = framework.Boot(ctx, cfg, ledgerModule(nil, "\n\t"+ledgerAccounts+"\n  "))
	if err != nil {
		t.Fatalf("reboot with reindented migration: %v", err)
	}
	rt.Close(ctx)

	err = bootErr(t, cfg, ledgerModule(nil, `CREATE TABLE ledger_accounts (id INTEGER PRIMARY KEY)`))
	wantModuleError(t, err, "test.ledger", "Migrate")
	wantErr(t, err, "test.ledger: migration 1 changed after it was applied")
}

func TestFailingMigrationNamesModuleAndVersion(t *testing.T) {
	err := bootErr(t, testConfig(t), ledgerModule(nil, ledgerAccounts, `CREATE TABLE ledger_broken (`))
	wantModuleError(t, err, "test.ledger", "Migrate")
	wantErr(t, err, "test.ledger: migration 2:")
}

func TestFailingMigrationIsNotRecorded(t *testing.T) {
	cfg := testConfig(t)
	bootErr(t, cfg, ledgerModule(nil, ledgerAccounts, `INSERT INTO ledger_missing VALUES (1)`))
	// Fixing the broken migration lets the next boot apply it.
	var app *framework.App
	boot(t, cfg, ledgerModule(&app, ledgerAccounts, ledgerEntries))
	if n := count(t, app.DB(), "ledger_entries"); n != 0 {
		t.Errorf("got %d entries; want 0", n)
	}
}

func TestDatabaseThatCannotBeOpened(t *testing.T) {
	cfg := testConfig(t)
	cfg.Database = filepath.Join(t.TempDir(), "missing-dir", "app.db")
	err := bootErr(t, cfg, &mod{name: "test.a"})
	wantErr(t, err, "database "+cfg.Database)
}

func TestDatabasePathWithURICharacters(t *testing.T) {
	cfg := testConfig(t)
	dir := filepath.Join(t.TempDir(), "odd?dir#x%20y")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg.Database = filepath.Join(dir, "app.db")
	_, db := bootLedger(t, cfg)
	if err := db.IntegritySession(context.Background(), "add", func(tx *framework.Tx) error {
		_, err := tx.Exec(`INSERT INTO ledger_accounts (name) VALUES ('x')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Database); err != nil {
		t.Errorf("the database is not at the configured path: %v", err)
	}
}

func TestWALModeOnFileDatabase(t *testing.T) {
	_, db := bootLedger(t, testConfig(t))
	var mode string
	if err := db.QueryRow(context.Background(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q; want wal", mode)
	}
	var fk int
	if err := db.QueryRow(context.Background(), `PRAGMA foreign_keys`).Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if fk != 1 {
		t.Errorf("foreign_keys = %d; want 1", fk)
	}
}
