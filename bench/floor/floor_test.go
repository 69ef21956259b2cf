package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/bench/internal/figures"
	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/internal/testbin"
)

// TestMain keeps every test off the user's modls cache: a test that starts
// a check or a server without its own MODLS_CACHE fails the run.
func TestMain(m *testing.M) { cachetest.Main(m) }

// TestSmoke runs the floor and a modls server on a generated workspace
// the size of examples/app (3 modules) for a few iterations, so that it
// keeps working: every form of the package is timed (each check found the
// edit's type error, or the run fails), and the server's latency is set
// against the floor. It asserts that every figure was measured, not how
// fast.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a language server")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	modls := testbin.Modls(t)
	out := filepath.Join(tmp, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err = run(ctx, []string{
		"-n", "3", "-runs", "1", "-iterations", "10", "-edits", "4", "-gap", "5ms", "-framework", root,
		"-server", modls + " serve", "-json", out,
	}, &stdout, &stderr)
	t.Logf("report:\n%s", stdout.String())
	if err != nil {
		t.Fatalf("floor: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Floor) != 3 {
		t.Fatalf("floor forms %+v, want the package, with its tests, and with types.Info", rep.Floor)
	}
	for _, f := range rep.Floor {
		if f.P50Ms <= 0 || f.P95Ms < f.P50Ms || f.HotP50Ms <= 0 || f.HotP95Ms < f.HotP50Ms || f.Iterations != 10 {
			t.Errorf("floor %q: paced p50 %v ms, p95 %v ms, back to back p50 %v ms, p95 %v ms over %d iterations",
				f.Name, f.P50Ms, f.P95Ms, f.HotP50Ms, f.HotP95Ms, f.Iterations)
		}
	}
	if len(rep.Servers) != 1 || rep.Servers[0].Error != "" || rep.Servers[0].EditsTimed != 4 || rep.Servers[0].RatioP50 <= 0 || rep.Servers[0].HotRatioP50 <= 0 {
		t.Errorf("servers %+v, want modls with 4 edits timed and its ratios to both floors", rep.Servers)
	}
	if rep.GapMs != 5 || !strings.Contains(stdout.String(), "5 ms between edits") {
		t.Errorf("the report's pace is %v ms, want the -gap given (5 ms):\n%s", rep.GapMs, stdout.String())
	}
	if rep.LoadAvg[0] == "" || !strings.Contains(stdout.String(), "p50 / paced floor") || !strings.Contains(stdout.String(), "load avg") {
		t.Errorf("the report lacks the load average or the ratios:\n%s", stdout.String())
	}
}

func TestEditBlock(t *testing.T) {
	// The edits of bench/lsplatency -finding type, byte for byte.
	block, ident := editBlock("a1", true)
	if block != "\n// bench edit a1\nvar _ = undefineda1\n" || ident != "undefineda1" {
		t.Errorf("appear block %q, ident %q", block, ident)
	}
	if block, _ = editBlock("a2", false); block != "\n// bench edit a2\n" {
		t.Errorf("disappear block %q", block)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-runs", "0"}, {"-iterations", "1"}, {"-gap", "0"}, {"extra"}, {"-workspace", "/nonexistent"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		var u figures.UsageError
		if err == nil || !errors.As(err, &u) {
			t.Errorf("floor %q: %v, want a usage error", args, err)
		}
	}
}
