package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/checker/cachetest"
)

// TestCacheExportImport: a cache exported after a check of one checkout
// and imported for a copy at another path answers every package there
// (--timings says none was checked) with the same output. A file that is
// no export is refused with one line and exit 2, the cache untouched.
func TestCacheExportImport(t *testing.T) {
	cachetest.Warm(t) // the seed's recorded framework types, then ours
	a := violationsCopy(t)
	b := filepath.Join(t.TempDir(), "other", "checkout")
	copyTree(t, a, b)
	tmp := t.TempDir()
	export := filepath.Join(tmp, "ci-cache.db")

	code, wantOut, stderr := runShared(a, "check", "--format", "json", "./...")
	if code != 1 || !strings.Contains(wantOut, `"rule"`) {
		t.Fatalf("check: exit %d\n%s%s", code, wantOut, stderr)
	}
	code, stdout, stderr := runShared(a, "cache", "export", export)
	if code != 0 || !strings.HasPrefix(stdout, "exported ") || stderr != "" {
		t.Fatalf("cache export: exit %d\n%s%s", code, stdout, stderr)
	}

	cacheB := filepath.Join(tmp, "b", "cache.db")
	t.Setenv("MODLS_CACHE", cacheB)
	code, stdout, stderr = runShared(b, "cache", "import", export)
	if code != 0 || !strings.HasPrefix(stdout, "imported ") || !strings.Contains(stdout, cacheB) || stderr != "" {
		t.Fatalf("cache import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runShared(b, "check", "--format", "json", "--timings", "./...")
	if code != 1 || stdout != wantOut {
		t.Errorf("check of the copy: exit %d\n%s\nwant:\n%s", code, stdout, wantOut)
	}
	if !strings.Contains(stderr, "none checked: every package was answered from the cache") {
		t.Errorf("the copy's check checked packages:\n%s", stderr)
	}

	before, err := os.ReadFile(cacheB)
	if err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(tmp, "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("no sqlite here\n"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runShared(b, "cache", "import", garbage)
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "modls cache: ") || !strings.Contains(stderr, "not a modls cache export") {
		t.Errorf("import of garbage: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if after, err := os.ReadFile(cacheB); err != nil || !bytes.Equal(before, after) {
		t.Errorf("a refused import changed the cache (%v)", err)
	}

	t.Setenv("MODLS_CACHE", "off")
	if code, _, stderr := runShared(b, "cache", "export", export); code != 2 || !strings.Contains(stderr, "MODLS_CACHE is off") {
		t.Errorf("export with the cache off: exit %d, %q", code, stderr)
	}
}
