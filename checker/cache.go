package checker

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the cache is an SQLite file
)

// Cache keeps each package's findings in an SQLite file, keyed by the
// content of everything they depend on, so an unchanged tree is re-checked
// without type-checking.
type Cache struct {
	db       *sql.DB
	path     string
	repaired string
}

// DefaultCachePath is $MODLS_CACHE (a file, or a directory to hold
// cache.db), else modls/cache.db in the user's cache directory.
// MODLS_CACHE=off disables the cache ("" path).
func DefaultCachePath() (string, error) {
	if p := os.Getenv("MODLS_CACHE"); p != "" {
		if p == "off" {
			return "", nil
		}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return filepath.Join(p, "cache.db"), nil
		}
		return p, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache: %w", err)
	}
	return filepath.Join(dir, "modls", "cache.db"), nil
}

// OpenCache opens (creating if needed) the cache file. Opening and
// creating the tables hold a lock (an flock of path+".lock"), so any
// number of processes may open one new cache at once. A file that is not
// a database, or a damaged one, is moved aside once, to
// path+".corrupt-<time>" (kept for a bug report), and a new cache is made
// in its place: Repaired says so. A path that cannot hold a database (a
// directory) is an error that says so.
func OpenCache(path string) (*Cache, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, fmt.Errorf("cache %s is a directory, not a database file", path)
		}
		return nil, fmt.Errorf("cache %s is not a regular file", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", path, err)
	}
	defer unlock()
	c, err := openCache(path, verified(path))
	if err == nil || !damaged(err) {
		return c, err
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405"))
	if err := os.Rename(path, aside); err != nil {
		return nil, fmt.Errorf("cache %s is damaged and cannot be moved aside: %w", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Rename(path+suffix, aside+suffix)
	}
	c, err = openCache(path, false)
	if err != nil {
		return nil, err
	}
	c.repaired = fmt.Sprintf("cache %s was damaged; moved it to %s and started a new one", path, aside)
	return c, nil
}

// Repaired describes the damaged cache file OpenCache moved aside, or is
// "".
func (c *Cache) Repaired() string { return c.repaired }

// damaged reports whether err says the file is not an SQLite database or
// is a damaged one.
func damaged(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "file is not a database") || strings.Contains(msg, "malformed") ||
		strings.Contains(msg, "(26)") || strings.Contains(msg, "(11)")
}

// The integrity check reads the whole file, which costs more than a
// warm check itself once the cache holds a large workspace's export data
// (over 100 ms for 70 MB). A cache closed by modls leaves beside it, in
// path+".ok", the size and modification time of the file as it closed it;
// a file found so, with no write-ahead log, is not checked again. Any
// change from outside (a truncation, another program's write) changes
// them. The rows' digests still guard every read.

// integrityChecks counts the integrity checks made, for tests.
var integrityChecks atomic.Int64

// fileState is a file's size and modification time, or "" if it cannot
// be read.
func fileState(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d %d", st.Size(), st.ModTime().UnixNano())
}

// verified reports whether the cache file is as modls last closed it.
func verified(path string) bool {
	mark, err := os.ReadFile(path + ".ok")
	if err != nil {
		return false
	}
	if _, err := os.Lstat(path + "-wal"); err == nil {
		return false
	}
	state := fileState(path)
	return state != "" && string(mark) == state
}

func openCache(path string, skipCheck bool) (*Cache, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"))
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", path, err)
	}
	if err := migrateCache(db, skipCheck); err != nil {
		db.Close()
		return nil, fmt.Errorf("cache %s: %w", path, err)
	}
	return &Cache{db: db, path: path}, nil
}

// cacheSchema is the version of the cache's tables; a cache file of
// another version is emptied and rebuilt (it holds nothing that cannot be
// recomputed).
const cacheSchema = 9

// cacheApplicationID marks an SQLite file as a modls cache (or an export
// of one): "MODL".
const cacheApplicationID = 0x4d4f444c

func migrateCache(db *sql.DB, skipCheck bool) error {
	// Read every table: a damaged file fails here, not on a later query.
	if !skipCheck {
		integrityChecks.Add(1)
		var check string
		if err := db.QueryRow(`PRAGMA quick_check(1)`).Scan(&check); err != nil {
			return err
		}
		if check != "ok" {
			return fmt.Errorf("database disk image is malformed: %s", check)
		}
	}
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v == cacheSchema {
		return nil
	}
	// Each row carries a digest of its key and payload (rowSum): a row
	// whose digest does not match is a miss. The payload is the last
	// column: SQLite reads a row's columns in order, through a large
	// blob's overflow pages to reach one after it, and a lookup of which
	// rows are stored reads the small columns alone.
	_, err := db.Exec(`
	BEGIN IMMEDIATE;
	DROP TABLE IF EXISTS results;
	DROP TABLE IF EXISTS exports;
	DROP TABLE IF EXISTS facts;
	DROP TABLE IF EXISTS listings;
	DROP TABLE IF EXISTS memos;
	DROP TABLE IF EXISTS executables;
	CREATE TABLE results (
		key        TEXT PRIMARY KEY,
		sum        TEXT NOT NULL,
		written_at INTEGER NOT NULL,
		findings   BLOB NOT NULL
	);
	CREATE TABLE facts (
		key        TEXT PRIMARY KEY,
		sum        TEXT NOT NULL,
		written_at INTEGER NOT NULL,
		data       BLOB NOT NULL
	);
	CREATE TABLE exports (
		key        TEXT PRIMARY KEY,
		imports    TEXT NOT NULL,
		sum        TEXT NOT NULL,
		written_at INTEGER NOT NULL,
		data       BLOB NOT NULL
	);
	CREATE TABLE listings (
		key        TEXT PRIMARY KEY,
		sum        TEXT NOT NULL,
		written_at INTEGER NOT NULL,
		data       BLOB NOT NULL
	);
	CREATE TABLE memos (
		key        TEXT PRIMARY KEY,
		sum        TEXT NOT NULL,
		written_at INTEGER NOT NULL,
		data       BLOB NOT NULL
	);
	CREATE TABLE executables (
		key        TEXT PRIMARY KEY,
		sum        TEXT NOT NULL,
		written_at INTEGER NOT NULL,
		data       BLOB NOT NULL
	);
	PRAGMA application_id = ` + fmt.Sprint(cacheApplicationID) + `;
	PRAGMA user_version = ` + fmt.Sprint(cacheSchema) + `;
	COMMIT;`)
	return err
}

// rowSum is the digest stored with a row: of its table, key and payload.
func rowSum(table, key string, payload ...[]byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", table, key)
	for _, p := range payload {
		fmt.Fprintf(h, "%d\x00", len(p))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Get returns the findings stored under key.
func (c *Cache) Get(key string) ([]Diagnostic, bool) {
	var blob []byte
	var sum string
	if err := c.db.QueryRow(`SELECT findings, sum FROM results WHERE key = ?`, key).Scan(&blob, &sum); err != nil {
		return nil, false
	}
	if sum != rowSum("results", key, blob) {
		return nil, false
	}
	var ds []Diagnostic
	if err := json.Unmarshal(blob, &ds); err != nil {
		return nil, false
	}
	return ds, true
}

// GetAll returns the findings stored under each of keys, in one query per
// few hundred keys; a key without a (sound) row is absent from the map.
func (c *Cache) GetAll(keys []string) map[string][]Diagnostic {
	out := make(map[string][]Diagnostic, len(keys))
	c.rowsOf("SELECT key, findings, sum FROM results WHERE key IN ", keys, func(rows *sql.Rows) {
		var k, sum string
		var blob []byte
		if rows.Scan(&k, &blob, &sum) != nil || sum != rowSum("results", k, blob) {
			return
		}
		var ds []Diagnostic
		if json.Unmarshal(blob, &ds) == nil {
			out[k] = ds
		}
	})
	return out
}

// rowsOf runs query (ending in "IN ") over keys, a few hundred at a time,
// and hands each row to each.
func (c *Cache) rowsOf(query string, keys []string, each func(*sql.Rows)) {
	const batch = 500
	for start := 0; start < len(keys); start += batch {
		part := keys[start:min(start+batch, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := c.db.Query(query+"(?"+strings.Repeat(", ?", len(part)-1)+")", args...)
		if err != nil {
			return
		}
		for rows.Next() {
			each(rows)
		}
		rows.Close()
	}
}

// getGob decodes into v the row of table (key, data, sum) under key;
// false if there is none or it is not sound.
func (c *Cache) getGob(table, key string, v any) bool {
	var data []byte
	var sum string
	if err := c.db.QueryRow(`SELECT data, sum FROM `+table+` WHERE key = ?`, key).Scan(&data, &sum); err != nil {
		if !errors.Is(err, sql.ErrNoRows) && os.Getenv("MODLS_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "modls: cache read: %v\n", err)
		}
		return false
	}
	return sum == rowSum(table, key, data) && gob.NewDecoder(bytes.NewReader(data)).Decode(v) == nil
}

// putGob records v, gob-encoded, under key in table. A cache that cannot
// be written only costs the next run time.
func (c *Cache) putGob(table, key string, v any) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return
	}
	data := b.Bytes()
	if _, err := c.db.Exec(`INSERT OR REPLACE INTO `+table+` (key, data, sum, written_at) VALUES (?, ?, ?, ?)`, key, data, rowSum(table, key, data), time.Now().Unix()); err != nil && os.Getenv("MODLS_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "modls: cache write: %v\n", err)
	}
}

// Put stores findings under key. A cache that cannot be written is not an
// error: the next run recomputes.
func (c *Cache) Put(key string, ds []Diagnostic) {
	blob, err := json.Marshal(ds)
	if err != nil {
		return
	}
	if _, err := c.db.Exec(`INSERT OR REPLACE INTO results (key, findings, sum, written_at) VALUES (?, ?, ?, ?)`, key, blob, rowSum("results", key, blob), time.Now().Unix()); err != nil && os.Getenv("MODLS_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "modls: cache write: %v\n", err)
	}
}

// Close closes the cache file and records its state (see verified).
func (c *Cache) Close() error {
	if err := c.db.Close(); err != nil {
		return err
	}
	if _, err := os.Lstat(c.path + "-wal"); err == nil {
		return nil // another process has it open: it will record
	}
	if state := fileState(c.path); state != "" {
		// Written whole or not at all: a torn mark only costs a check.
		tmp := fmt.Sprintf("%s.ok.%d", c.path, os.Getpid())
		if os.WriteFile(tmp, []byte(state), 0o644) == nil {
			if os.Rename(tmp, c.path+".ok") != nil {
				os.Remove(tmp)
			}
		}
	}
	return nil
}

// StoredExports returns, of the keys given, those whose export data is
// stored, each with the imports its package was checked with. The data
// is neither read nor verified here (a check reads that of few of them):
// Export verifies the row it reads, and a package whose row is not sound
// is checked from source then.
func (c *Cache) StoredExports(keys []string) map[string][]string {
	out := map[string][]string{}
	c.rowsOf("SELECT key, imports FROM exports WHERE key IN ", keys, func(rows *sql.Rows) {
		var k, imps string
		if rows.Scan(&k, &imps) == nil {
			out[k] = strings.Fields(imps)
		}
	})
	return out
}

// Export returns the export data stored under key.
func (c *Cache) Export(key string) ([]byte, bool) {
	data, _, ok := c.exportWithImports(key)
	return data, ok
}

// exportWithImports returns the export data stored under key and the
// imports its package was checked with.
func (c *Cache) exportWithImports(key string) ([]byte, []string, bool) {
	var data []byte
	var imps, sum string
	if err := c.db.QueryRow(`SELECT data, imports, sum FROM exports WHERE key = ?`, key).Scan(&data, &imps, &sum); err != nil {
		return nil, nil, false
	}
	if sum != rowSum("exports", key, data, []byte(imps)) {
		return nil, nil, false
	}
	return data, strings.Fields(imps), true
}

// exportBlob is a package's export data and the imports it was checked
// with.
type exportBlob struct {
	data    []byte
	imports []string
	sum     string // rowSum of the row, if computed already
}

// PutExports stores export data by key, in one transaction.
func (c *Cache) PutExports(blobs map[string]exportBlob) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	for k, b := range blobs {
		imps := strings.Join(b.imports, " ")
		sum := b.sum
		if sum == "" {
			sum = rowSum("exports", k, b.data, []byte(imps))
		}
		if _, err := tx.Exec(`INSERT OR REPLACE INTO exports (key, data, imports, sum, written_at) VALUES (?, ?, ?, ?, ?)`, k, b.data, imps, sum, now); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// Facts returns the analysis facts stored under key.
func (c *Cache) Facts(key string) ([]byte, bool) {
	var data []byte
	var sum string
	if err := c.db.QueryRow(`SELECT data, sum FROM facts WHERE key = ?`, key).Scan(&data, &sum); err != nil {
		return nil, false
	}
	if sum != rowSum("facts", key, data) {
		return nil, false
	}
	return data, true
}

// FactsOf returns the rows of the facts table stored under each of keys,
// in one query per few hundred keys; a key without a (sound) row is
// absent from the map.
func (c *Cache) FactsOf(keys []string) map[string][]byte {
	out := make(map[string][]byte, len(keys))
	c.rowsOf("SELECT key, data, sum FROM facts WHERE key IN ", keys, func(rows *sql.Rows) {
		var k, sum string
		var data []byte
		if rows.Scan(&k, &data, &sum) == nil && sum == rowSum("facts", k, data) {
			out[k] = data
		}
	})
	return out
}

// PutFacts stores analysis facts by key, in one transaction.
func (c *Cache) PutFacts(blobs map[string][]byte) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	for k, data := range blobs {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO facts (key, data, sum, written_at) VALUES (?, ?, ?, ?)`, k, data, rowSum("facts", k, data), now); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
