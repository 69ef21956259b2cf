package checker

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the cache is an SQLite file
)

// Cache keeps each package's findings in an SQLite file, keyed by the
// content of everything they depend on, so an unchanged tree is re-checked
// without type-checking.
type Cache struct {
	db *sql.DB
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

// OpenCache opens (creating if needed) the cache file.
func OpenCache(path string) (*Cache, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", path, err)
	}
	if err := migrateCache(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("cache %s: %w", path, err)
	}
	return &Cache{db: db}, nil
}

// cacheSchema is the version of the cache's tables; a cache file of
// another version is emptied and rebuilt (it holds nothing that cannot be
// recomputed).
const cacheSchema = 3

func migrateCache(db *sql.DB) error {
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v == cacheSchema {
		return nil
	}
	_, err := db.Exec(`
	DROP TABLE IF EXISTS results;
	DROP TABLE IF EXISTS exports;
	DROP TABLE IF EXISTS facts;
	CREATE TABLE results (
		key        TEXT PRIMARY KEY,
		findings   BLOB NOT NULL,
		written_at INTEGER NOT NULL
	);
	CREATE TABLE facts (
		key        TEXT PRIMARY KEY,
		data       BLOB NOT NULL,
		written_at INTEGER NOT NULL
	);
	CREATE TABLE exports (
		key        TEXT PRIMARY KEY,
		data       BLOB NOT NULL,
		imports    TEXT NOT NULL,
		written_at INTEGER NOT NULL
	);
	PRAGMA user_version = ` + fmt.Sprint(cacheSchema))
	return err
}

// Get returns the findings stored under key.
func (c *Cache) Get(key string) ([]Diagnostic, bool) {
	var blob []byte
	if err := c.db.QueryRow(`SELECT findings FROM results WHERE key = ?`, key).Scan(&blob); err != nil {
		return nil, false
	}
	var ds []Diagnostic
	if err := json.Unmarshal(blob, &ds); err != nil {
		return nil, false
	}
	return ds, true
}

// Put stores findings under key. A cache that cannot be written is not an
// error: the next run recomputes.
func (c *Cache) Put(key string, ds []Diagnostic) {
	blob, err := json.Marshal(ds)
	if err != nil {
		return
	}
	if _, err := c.db.Exec(`INSERT OR REPLACE INTO results (key, findings, written_at) VALUES (?, ?, ?)`, key, blob, time.Now().Unix()); err != nil && os.Getenv("MODLS_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "modls: cache write: %v\n", err)
	}
}

// Close closes the cache file.
func (c *Cache) Close() error { return c.db.Close() }

// StoredExports returns, of the keys given, those whose export data is
// stored, each with the imports its package was checked with.
func (c *Cache) StoredExports(keys []string) map[string][]string {
	const batch = 500
	out := map[string][]string{}
	for start := 0; start < len(keys); start += batch {
		part := keys[start:min(start+batch, len(keys))]
		q := "SELECT key, imports FROM exports WHERE key IN (?" + strings.Repeat(", ?", len(part)-1) + ")"
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := c.db.Query(q, args...)
		if err != nil {
			return out
		}
		for rows.Next() {
			var k, imps string
			if rows.Scan(&k, &imps) == nil {
				out[k] = strings.Fields(imps)
			}
		}
		rows.Close()
	}
	return out
}

// Export returns the export data stored under key.
func (c *Cache) Export(key string) ([]byte, bool) {
	var data []byte
	if err := c.db.QueryRow(`SELECT data FROM exports WHERE key = ?`, key).Scan(&data); err != nil {
		return nil, false
	}
	return data, true
}

// exportBlob is a package's export data and the imports it was checked
// with.
type exportBlob struct {
	data    []byte
	imports []string
}

// PutExports stores export data by key, in one transaction.
func (c *Cache) PutExports(blobs map[string]exportBlob) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	for k, b := range blobs {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO exports (key, data, imports, written_at) VALUES (?, ?, ?, ?)`, k, b.data, strings.Join(b.imports, " "), now); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// Facts returns the analysis facts stored under key.
func (c *Cache) Facts(key string) ([]byte, bool) {
	var data []byte
	if err := c.db.QueryRow(`SELECT data FROM facts WHERE key = ?`, key).Scan(&data); err != nil {
		return nil, false
	}
	return data, true
}

// PutFacts stores analysis facts by key, in one transaction.
func (c *Cache) PutFacts(blobs map[string][]byte) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	for k, data := range blobs {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO facts (key, data, written_at) VALUES (?, ?, ?)`, k, data, now); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
