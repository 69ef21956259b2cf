package checker

import (
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/checker/cachetest"
)

// TestOpenCacheRepairsDamage damages the cache file in each way a crash or
// a user can: the check gives the right findings with one warning, the
// damaged file is kept aside, and the next run is warm with no warning.
// One kind of damage is followed by a whole check; the others by a result
// written and read back, since what follows a repair is the same.
func TestOpenCacheRepairsDamage(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	want := strings.Join(lines(dir, check(t, dir, Options{}).Diagnostics), "\n")
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, path string) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, st.Size()/3); err != nil {
				t.Fatal(err)
			}
		}},
		{"overwritten in place", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte("not a database!!"), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"random bytes", func(t *testing.T, path string) {
			data := make([]byte, 64<<10)
			rand.Read(data)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := cachetest.Seeded(t)
			warm(t, dir, path)
			tc.damage(t, path)
			for _, s := range []string{"-wal", "-shm"} {
				os.Remove(path + s)
			}
			cache, err := OpenCache(path)
			if err != nil {
				t.Fatalf("a damaged cache was not repaired: %v", err)
			}
			if msg := cache.Repaired(); !strings.Contains(msg, "was damaged; moved it to "+path+".corrupt-") {
				t.Errorf("warning %q", msg)
			}
			if tc.name == "truncated" {
				// The check after a repair is the same whatever the
				// damage was: once is enough (it is cold: the framework
				// from source).
				res := check(t, dir, Options{Cache: cache})
				if got := strings.Join(lines(dir, res.Diagnostics), "\n"); got != want {
					t.Errorf("findings with a repaired cache:\n%s\nwant:\n%s", got, want)
				}
			} else {
				stored := []Diagnostic{{Rule: "MOD005", File: "a.go", Line: 1, Message: "m"}}
				cache.Put("k", stored)
				if got, ok := cache.Get("k"); !ok || len(got) != 1 || got[0].Message != "m" {
					t.Errorf("the repaired cache does not keep a result: %v %v", got, ok)
				}
			}
			cache.Close()
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Errorf("damaged files kept: %v", aside)
			}
			cache, err = OpenCache(path)
			if err != nil {
				t.Fatal(err)
			}
			defer cache.Close()
			if msg := cache.Repaired(); msg != "" {
				t.Errorf("the next run warned again: %s", msg)
			}
			if tc.name != "truncated" {
				if _, ok := cache.Get("k"); !ok {
					t.Error("the next run lost what the repaired cache kept")
				}
			} else if res := check(t, dir, Options{Cache: cache}); res.Cached != res.Packages {
				t.Errorf("the next run is not warm: %d of %d cached", res.Cached, res.Packages)
			}
		})
	}
}

// warm fills a cache at path with one check of dir.
func warm(t *testing.T, dir, path string) {
	t.Helper()
	cache, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	check(t, dir, Options{Cache: cache})
	if err := cache.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCacheDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := OpenCache(path)
	if err == nil || err.Error() != "cache "+path+" is a directory, not a database file" {
		t.Errorf("error %v", err)
	}
}

// TestCacheTamperedRowsMiss alters every row's payload: each is a miss,
// never a wrong answer.
func TestCacheTamperedRowsMiss(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	want := strings.Join(lines(dir, check(t, dir, Options{}).Diagnostics), "\n")
	if want == "" {
		t.Fatal("the workspace has no findings")
	}
	path := cachetest.Seeded(t)
	warm(t, dir, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var tampered int64
	for _, q := range []string{`UPDATE results SET findings = '[]' WHERE CAST(findings AS TEXT) != '[]'`, `UPDATE facts SET data = x'00'`, `UPDATE exports SET data = x'00'`, `UPDATE memos SET data = x'00'`, `UPDATE listings SET data = x'00'`} {
		res, err := db.Exec(q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(q, "results") {
			if tampered, _ = res.RowsAffected(); tampered == 0 {
				t.Fatalf("%s changed no row", q)
			}
		}
	}
	db.Close()
	cache, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	res := check(t, dir, Options{Cache: cache})
	if got := strings.Join(lines(dir, res.Diagnostics), "\n"); got != want {
		t.Errorf("findings from a tampered cache:\n%s\nwant:\n%s", got, want)
	}
	if res.Cached != res.Packages-int(tampered) {
		t.Errorf("%d of %d packages answered from the cache, %d rows tampered with", res.Cached, res.Packages, tampered)
	}
	if res := check(t, dir, Options{Cache: cache}); res.Cached != res.Packages {
		t.Errorf("the rows were not rewritten: %d of %d cached", res.Cached, res.Packages)
	}
}

// TestCheckProgress: a check that has packages to check (here the
// workspace's own, the cache holding only what they import) reports each
// package it checks, from 0 to the total; a check the cache answers
// wholly reports nothing.
func TestCheckProgress(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	cache := seeded(t)
	var got [][2]int
	progress := func(done, total int) { got = append(got, [2]int{done, total}) }
	res := check(t, dir, Options{Cache: cache, Progress: progress})
	if len(got) != res.Packages+1 || res.Packages == 0 {
		t.Fatalf("progress %v for %d packages; want one call before and one per package", got, res.Packages)
	}
	for i, p := range got {
		if p != [2]int{i, res.Packages} {
			t.Errorf("progress %v; want 0 to %d of %d", got, res.Packages, res.Packages)
			break
		}
	}
	got = nil
	check(t, dir, Options{Cache: cache, Progress: progress})
	if got != nil {
		t.Errorf("a warm check reported progress %v; want none", got)
	}
}

// TestOpenCacheChecksWhatChanged: the integrity check reads the whole
// file, so a cache as modls closed it is not checked again; one changed
// since (written by another program, touched, truncated) is.
func TestOpenCacheChecksWhatChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	open := func(step string, wantCheck bool) {
		t.Helper()
		before := integrityChecks.Load()
		c, err := OpenCache(path)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		c.Put("k", []Diagnostic{{Rule: "MOD001", Message: step}})
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if checked := integrityChecks.Load() > before; checked != wantCheck {
			t.Errorf("%s: checked %v; want %v", step, checked, wantCheck)
		}
	}
	open("new", true)
	open("as modls left it", false)
	open("again", false)
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	open("touched", true)
	open("as modls left it after the check", false)
	if err := os.WriteFile(path+".ok", []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	open("a damaged mark", true)
}
