package checker

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the cache is an SQLite file
)

// Cache keeps each package's findings in an SQLite file, keyed by the
// content of everything they depend on, so an unchanged tree is re-checked
// without type-checking.
type Cache struct {
	db *sql.DB
}

// DefaultCachePath is $MODLS_CACHE, else modls/cache.db in the user's cache
// directory. MODLS_CACHE=off disables the cache ("" path).
func DefaultCachePath() (string, error) {
	if p := os.Getenv("MODLS_CACHE"); p != "" {
		if p == "off" {
			return "", nil
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
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS results (
		key        TEXT PRIMARY KEY,
		findings   BLOB NOT NULL,
		written_at INTEGER NOT NULL
	)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("cache %s: %w", path, err)
	}
	return &Cache{db: db}, nil
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
