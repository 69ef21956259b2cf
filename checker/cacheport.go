package checker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// A cache moves between machines as an export: an SQLite file holding the
// tables keyed by content (findings, facts, export data), which name no
// absolute path (see pathCodec) and so serve any checkout of the same
// tree. The tables of one checkout (the recorded listing and the memo of
// keys, keyed by the checkout's path and validated by its files' states,
// and the digest of this machine's modls executable) stay behind.
//
// An entry is used only under its content key, and each row carries a
// digest of its key and payload: a stale or damaged entry is a miss. The
// digest is no signature, though: whoever can write the exported file can
// write findings under a key, so a cache is imported only from writers
// trusted as much as the checkout itself.

// portableTables are the tables an export carries, with their columns in
// the cache's order (the payload last).
var portableTables = []struct{ name, columns string }{
	{"results", "key, sum, written_at, findings"},
	{"facts", "key, sum, written_at, data"},
	{"exports", "key, imports, sum, written_at, data"},
}

// PortStats counts the rows an export wrote or an import added, by table.
type PortStats struct {
	Results, Facts, Exports int64
	// Bytes is the size of the exported file (export only).
	Bytes int64
}

func (s *PortStats) add(table string, n int64) {
	switch table {
	case "results":
		s.Results += n
	case "facts":
		s.Facts += n
	case "exports":
		s.Exports += n
	}
}

// ExportCache writes the portable tables of the cache at cachePath to
// file, whole or not at all: into a temporary file beside it, renamed
// over file once complete. The rows are read in one transaction, so a
// check writing the cache meanwhile leaves a consistent export.
func ExportCache(ctx context.Context, cachePath, file string) (PortStats, error) {
	var st PortStats
	if _, err := os.Stat(cachePath); err != nil {
		return st, fmt.Errorf("no cache at %s to export", cachePath)
	}
	// Opening checks (and if need be repairs) the cache and brings an
	// older schema to this one.
	c, err := OpenCache(cachePath)
	if err != nil {
		return st, err
	}
	c.Close()
	if info, err := os.Stat(file); err == nil && !info.Mode().IsRegular() {
		return st, fmt.Errorf("%s is not a regular file", file)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return st, fmt.Errorf("export: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpName)
			os.Remove(tmpName + "-journal")
		}
	}()
	if err := writeExport(ctx, tmpName, cachePath, &st); err != nil {
		return st, fmt.Errorf("export: %w", err)
	}
	f, err := os.Open(tmpName)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		return st, fmt.Errorf("export: %w", err)
	}
	if info, err := os.Stat(tmpName); err == nil {
		st.Bytes = info.Size()
	}
	if err := os.Rename(tmpName, file); err != nil {
		return st, fmt.Errorf("export: %w", err)
	}
	done = true
	return st, nil
}

// sqliteDSN opens path with the given pragmas.
func sqliteDSN(path string, pragmas ...string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return "file:" + path + "?" + q.Encode()
}

func writeExport(ctx context.Context, tmp, cachePath string, st *PortStats) error {
	db, err := sql.Open("sqlite", sqliteDSN(tmp, "busy_timeout(10000)", "journal_mode(DELETE)"))
	if err != nil {
		return err
	}
	defer db.Close()
	// ATTACH holds for one connection: the whole export runs on one.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	schema := ""
	for _, t := range portableTables {
		schema += fmt.Sprintf("CREATE TABLE %s (%s);\n", t.name, columnDefs(t.columns))
	}
	schema += fmt.Sprintf("PRAGMA application_id = %d;\nPRAGMA user_version = %d;\n", cacheApplicationID, cacheSchema)
	if _, err := conn.ExecContext(ctx, schema); err != nil {
		return err
	}
	abs, err := filepath.Abs(cachePath)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS src`, abs); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `DETACH DATABASE src`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range portableTables {
		res, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%s (%s) SELECT %s FROM src.%s`, t.name, t.columns, t.columns, t.name))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		st.add(t.name, n)
	}
	return tx.Commit()
}

// columnDefs declares the columns of a portable table as the cache does.
func columnDefs(columns string) string {
	var defs []string
	for _, c := range strings.Split(columns, ", ") {
		switch c {
		case "key":
			defs = append(defs, "key TEXT PRIMARY KEY")
		case "sum", "imports":
			defs = append(defs, c+" TEXT NOT NULL")
		case "written_at":
			defs = append(defs, c+" INTEGER NOT NULL")
		default:
			defs = append(defs, c+" BLOB NOT NULL")
		}
	}
	return strings.Join(defs, ", ")
}

// ErrNotExport says a file is not an export of a modls cache of this
// schema.
var ErrNotExport = errors.New("not a modls cache export")

// checkExport reports whether file is a sound export of this schema,
// without writing it.
func checkExport(ctx context.Context, file string) error {
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file)
	}
	db, err := sql.Open("sqlite", sqliteDSN(file, "query_only(1)"))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&check); err != nil {
		return fmt.Errorf("%s is %w (%s)", file, ErrNotExport, firstLine(err.Error()))
	}
	if check != "ok" {
		return fmt.Errorf("%s is %w (damaged: %s)", file, ErrNotExport, firstLine(check))
	}
	var app, version int64
	if err := db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		return fmt.Errorf("%s is %w (%s)", file, ErrNotExport, firstLine(err.Error()))
	}
	if app != cacheApplicationID {
		return fmt.Errorf("%s is %w (an SQLite file of another program)", file, ErrNotExport)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("%s is %w (%s)", file, ErrNotExport, firstLine(err.Error()))
	}
	if version != cacheSchema {
		return fmt.Errorf("%s holds cache schema %d and this modls reads schema %d: export it again with this modls", file, version, cacheSchema)
	}
	for _, t := range portableTables {
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s LIMIT 0`, t.columns, t.name))
		if err != nil {
			return fmt.Errorf("%s is %w (no table %s as this modls writes it)", file, ErrNotExport, t.name)
		}
		rows.Close()
	}
	return nil
}

// ImportCache merges the export file into the cache at cachePath
// (creating it if need be), in one transaction: the cache gains every
// entry it lacks, or nothing. Entries it has are kept. A file that is not
// a sound export of this schema is refused before the cache is opened.
func ImportCache(ctx context.Context, cachePath, file string) (PortStats, error) {
	var st PortStats
	if err := checkExport(ctx, file); err != nil {
		return st, err
	}
	c, err := OpenCache(cachePath)
	if err != nil {
		return st, err
	}
	defer c.Close()
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return st, fmt.Errorf("cache %s: %w", cachePath, err)
	}
	defer conn.Close()
	abs, err := filepath.Abs(file)
	if err != nil {
		return st, err
	}
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS src`, abs); err != nil {
		return st, fmt.Errorf("%s: %w", file, err)
	}
	defer conn.ExecContext(context.Background(), `DETACH DATABASE src`)
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return st, fmt.Errorf("cache %s: %w", cachePath, err)
	}
	for _, t := range portableTables {
		res, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT OR IGNORE INTO main.%s (%s) SELECT %s FROM src.%s`, t.name, t.columns, t.columns, t.name))
		if err != nil {
			conn.ExecContext(context.Background(), `ROLLBACK`)
			return PortStats{}, fmt.Errorf("import %s: %w", file, err)
		}
		n, _ := res.RowsAffected()
		st.add(t.name, n)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		return PortStats{}, fmt.Errorf("import %s: %w", file, err)
	}
	return st, nil
}
