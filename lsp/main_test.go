package lsp

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/internal/testbin"
)

// userCache stands in for the user's cache directory while the tests run:
// TestMain points XDG_CACHE_HOME at it (os.UserCacheDir, and so
// checker.DefaultCachePath, resolve there) and fails the run if anything
// wrote modls's cache into it. Every server a test starts has a cache of
// its own (testOptions), never the user's.
var userCache string

func TestMain(m *testing.M) { os.Exit(runPackage(m)) }

func runPackage(m *testing.M) int {
	dir, err := os.MkdirTemp("", "modls-lsp-usercache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	defer testbin.Cleanup()
	// The go command's build cache stays where it is: it defaults to the
	// user's cache directory too, and a cold one would only be slow.
	if os.Getenv("GOCACHE") == "" {
		out, err := exec.Command("go", "env", "GOCACHE").Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "go env GOCACHE: %v\n", err)
			return 2
		}
		os.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	}
	// The race detector's heap is large and the machine loaded: collect
	// less often (the soak measures its heap after collections of its own).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	os.Unsetenv("MODLS_CACHE")
	userCache = dir
	defer cachetest.RemoveSeed()
	code := m.Run()
	if _, err := os.Stat(filepath.Join(dir, "modls")); err == nil {
		fmt.Fprintf(os.Stderr, "FAIL: a test wrote modls's cache in the user's cache directory (%s): start servers with testOptions\n", dir)
		return 1
	}
	return code
}

// testOptions completes a test server's options: its log goes to the
// test's log and its cache is a file in the test's own directory.
func testOptions(t testing.TB, opts Options) Options {
	if opts.Log == nil {
		opts.Log = testLog{t}
	}
	if opts.CachePath == "" {
		opts.CachePath = cacheCopy(t)
	}
	return opts
}

// cacheCopy returns a new cache file in the test's directory that holds
// the recorded types of the framework and of the standard packages the
// tests' workspaces import (checker/cachetest's seed, made once per test
// run): each server starts warm, as an editor's usually does, and shares
// nothing with another test or the user.
func cacheCopy(t testing.TB) string {
	t.Helper()
	return cachetest.Seeded(t)
}

// TestServerCacheIsTheTests checks that a test's server keeps its cache in
// the test's own directory and writes nothing in the user's cache
// directory (TestMain checks the latter for every test of the package).
func TestServerCacheIsTheTests(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	e.diagnostics(file)
	path := e.srv.opts.CachePath
	if !strings.HasPrefix(path, os.TempDir()) || !strings.Contains(path, t.Name()) {
		t.Fatalf("the server's cache is %s, not in the test's directory", path)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The session opened the file and gave it the cache's tables before
	// the first check (the export data itself is saved in the background).
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version == 0 {
		t.Fatalf("the test's cache %s was not set up by the server: version %d, %v", path, version, err)
	}
	entries, err := os.ReadDir(userCache)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Name() == "modls" {
			t.Fatalf("%s/modls exists: a server used the user's cache", userCache)
		}
	}
	t.Logf("cache %s (schema %d); %s untouched", path, version, userCache)
}

var seedFlag = flag.String("modls.seed", "", "the seed of the randomized tests (default: $MODLS_TEST_SEED, else chosen from the clock once per run)")

// runSeed is the seed of this run's randomized tests, chosen once.
var runSeed = sync.OnceValues(func() (int64, error) {
	s, from := *seedFlag, "-modls.seed"
	if s == "" {
		s, from = os.Getenv("MODLS_TEST_SEED"), "MODLS_TEST_SEED"
	}
	if s == "" {
		return time.Now().UnixNano(), nil
	}
	seed, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a seed (an integer)", from, s)
	}
	return seed, nil
})

// testSeed is the seed of this run's randomized tests (the differential
// test): -modls.seed, else $MODLS_TEST_SEED, else one chosen from the
// clock once per run of the test binary. Each test logs it, and says it
// again when it fails.
func testSeed(t testing.TB) int64 {
	t.Helper()
	seed, err := runSeed()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d (MODLS_TEST_SEED=%d go test -run '^%s$' ./lsp repeats it)", seed, seed, strings.SplitN(t.Name(), "/", 2)[0])
	return seed
}
