package checker

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// A check that finds every file as the last check of the same listing
// left it needs neither the workspace model nor the packages' keys: they
// are a function of the listing (validated by its own record), the rules
// and the files below, which the memo records with the keys it led to.
//
// The keys depend on: the files of the Go module being checked that the
// workspace model and the rules read (Go files, manifests and other JSON,
// SQL, go.mod, go.sum, go.work, in the directories the model walks), the
// directory structure that decides what a module is, and the Go files of
// the packages of other local modules the listing names (a replace
// directive's). All of them are recorded, by contents.

// memoHits counts the checks the memo answered, for tests.
var memoHits atomic.Int64

// memoVersion changes with the memo's format or what it covers.
const memoVersion = 1

type keysMemo struct {
	Version int
	// Files are content digests by absolute name.
	Files map[string]string
	// Dirs are digests of the entries of every directory walked.
	Dirs map[string]string
	// Keys are the root packages' keys by import path.
	Keys map[string]string
}

// memoKey is the key of the memo of a listing's keys under the rules.
func memoKey(listing, rules string) string {
	if listing == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("keys %d\n%s\n%s\n", memoVersion, listing, rules)))
	return hex.EncodeToString(sum[:])
}

// memoFile reports whether a file's contents can change a package's key.
func memoFile(name string) bool {
	switch name {
	case "go.mod", "go.sum", "go.work", "go.work.sum":
		return true
	}
	if strings.HasPrefix(name, ".") {
		return false // editors' swap and backup files
	}
	switch filepath.Ext(name) {
	case ".go", ".json", ".sql":
		return true
	}
	return false
}

// tree is the state of the files a check's keys depend on, read once:
// the keys are computed from these bytes (they join the check's overlay)
// and the memo records their digests.
type tree struct {
	data map[string][]byte
	dirs map[string]string
}

// readTree reads the files and directories below root as the workspace
// model walks them (not vendor, node_modules, testdata, hidden
// directories, nor other Go modules), and the Go files of every listed
// package that is not the standard library's or the module cache's.
func readTree(root string, listed []*listedPackage) (*tree, error) {
	t := &tree{data: map[string][]byte{}, dirs: map[string]string{}}
	if err := t.walk(root); err != nil {
		return nil, err
	}
	// Packages the walk does not reach: of other local modules (a replace
	// directive's), or named by a pattern below a directory it skips.
	for _, p := range listed {
		if p.Standard || p.Module == nil || strings.Contains(p.Module.Dir, "@") {
			continue
		}
		for _, names := range [][]string{p.GoFiles, p.TestGoFiles, p.XTestGoFiles} {
			for _, n := range names {
				full := filepath.Join(p.Dir, n)
				if _, ok := t.data[full]; ok {
					continue
				}
				data, err := os.ReadFile(full)
				if err != nil {
					return nil, err
				}
				t.data[full] = data
			}
		}
	}
	return t, nil
}

func (t *tree) walk(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	h := sha256.New()
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			if skipWalk(name) {
				continue
			}
			fmt.Fprintf(h, "d %s\n", name)
			if _, err := os.Stat(filepath.Join(full, "go.mod")); err == nil {
				continue
			}
			if err := t.walk(full); err != nil {
				return err
			}
		case memoFile(name):
			fmt.Fprintf(h, "f %s %v\n", name, e.Type())
			data, err := os.ReadFile(full) // through a symbolic link too
			if err != nil {
				return err // no memo: every file must be known
			}
			t.data[full] = data
		}
	}
	t.dirs[dir] = hex.EncodeToString(h.Sum(nil))
	return nil
}

func skipWalk(name string) bool {
	return name == "vendor" || name == "node_modules" || name == "testdata" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// digests are the content digests of the tree's files.
func (t *tree) digests() map[string]string {
	out := make(map[string]string, len(t.data))
	for n, d := range t.data {
		out[n] = contentDigest(d)
	}
	return out
}

// newKeysMemo records keys computed from the tree's files.
func newKeysMemo(t *tree, keys map[string]string) *keysMemo {
	for _, k := range keys {
		if k == "" {
			return nil // a file could not be read
		}
	}
	return &keysMemo{Version: memoVersion, Files: t.digests(), Dirs: t.dirs, Keys: keys}
}

// matches reports whether the tree is the one the memo was made from.
func (m *keysMemo) matches(t *tree) bool {
	if m.Version != memoVersion || len(m.Files) != len(t.data) || len(m.Dirs) != len(t.dirs) {
		return false
	}
	for dir, d := range t.dirs {
		if m.Dirs[dir] != d {
			return false
		}
	}
	for n, data := range t.data {
		if m.Files[n] != contentDigest(data) {
			return false
		}
	}
	return true
}

// keysMemo returns the memo recorded under key, or nil.
func (c *Cache) keysMemo(key string) *keysMemo {
	var data []byte
	var sum string
	if err := c.db.QueryRow(`SELECT data, sum FROM memos WHERE key = ?`, key).Scan(&data, &sum); err != nil {
		if !errors.Is(err, sql.ErrNoRows) && os.Getenv("MODLS_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "modls: cache read: %v\n", err)
		}
		return nil
	}
	if sum != rowSum("memos", key, data) {
		return nil
	}
	m := new(keysMemo)
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(m); err != nil {
		return nil
	}
	return m
}

// putKeysMemo records a memo under key.
func (c *Cache) putKeysMemo(key string, m *keysMemo) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(m); err != nil {
		return
	}
	data := b.Bytes()
	if _, err := c.db.Exec(`INSERT OR REPLACE INTO memos (key, data, sum, written_at) VALUES (?, ?, ?, ?)`, key, data, rowSum("memos", key, data), time.Now().Unix()); err != nil && os.Getenv("MODLS_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "modls: cache write: %v\n", err)
	}
}
