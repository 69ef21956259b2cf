package checker

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.go")
	old := []Diagnostic{
		{Rule: "MOD002", File: f, Line: 3, Message: "exported method A has no ServiceMethod entry"},
		{Rule: "MOD005", File: f, Line: 9, Message: "database write outside an IntegritySession"},
		{Rule: "MOD005", File: f, Line: 12, Message: "database write outside an IntegritySession"},
	}
	path := filepath.Join(dir, "baseline.json")
	if err := WriteBaseline(path, dir, old); err != nil {
		t.Fatal(err)
	}
	b, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	now := []Diagnostic{
		{Rule: "MOD002", File: f, Line: 30, Message: "exported method A has no ServiceMethod entry"}, // moved: still known
		{Rule: "MOD005", File: f, Line: 9, Message: "database write outside an IntegritySession"},
		{Rule: "MOD005", File: f, Line: 12, Message: "database write outside an IntegritySession"},
		{Rule: "MOD005", File: f, Line: 20, Message: "database write outside an IntegritySession"}, // a third one: new
		{Rule: "MOD006", File: f, Line: 2, Message: "no such table: x"},                            // new
	}
	got := b.New(dir, now)
	if len(got) != 2 || got[0].Line != 20 || got[1].Rule != "MOD006" {
		t.Errorf("new findings = %+v", got)
	}
	if err := os.WriteFile(path, []byte("{\"version\": 7}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBaseline(path); err == nil {
		t.Error("a baseline of an unknown version was read")
	}
	if _, err := ReadBaseline(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing baseline was read")
	}
}

func TestDefaultCachePath(t *testing.T) {
	dir := t.TempDir()
	// Without MODLS_CACHE the cache is the user's (cachetest.Main moves the
	// user cache directory of tests, so that this is never the real one).
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "user-cache"))
	for env, want := range map[string]string{
		"":                          filepath.Join(dir, "user-cache", "modls", "cache.db"),
		"off":                       "",
		dir:                         filepath.Join(dir, "cache.db"),
		filepath.Join(dir, "my.db"): filepath.Join(dir, "my.db"),
	} {
		t.Setenv("MODLS_CACHE", env)
		got, err := DefaultCachePath()
		if err != nil || got != want {
			t.Errorf("MODLS_CACHE=%s: %q, %v; want %q", env, got, err, want)
		}
	}
}
