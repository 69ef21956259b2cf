package checker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/bench/genworkspace"
)

// BenchmarkListing lists the 100-module generated workspace three ways,
// interleaved in one run: go list -e -deps -test -json run and read
// directly, the checker's listing through golang.org/x/tools/go/packages
// in metadata mode (names, files, imports, modules, the dependency graph,
// the test variants; no types), and the listing cache's validation of a
// recorded listing (what a warm check does instead). It reports the median of each and the machine's
// load average.
//
//	go test ./checker -run '^$' -bench Listing -benchtime 10x
func BenchmarkListing(b *testing.B) {
	root := filepath.Join(b.TempDir(), "ws")
	if err := genworkspace.Generate(root, 100, genworkspace.Options{Framework: ".."}); err != nil {
		b.Fatal(err)
	}
	patterns := []string{"./..."}
	c, err := OpenCache(filepath.Join(b.TempDir(), "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, _, _, err := cachedGoList(context.Background(), c, listingKey(root, patterns, true), root, patterns, true, nil); err != nil {
		b.Fatal(err)
	}
	ways := []struct {
		name string
		list func() (int, error)
	}{
		{"go list", func() (int, error) {
			ps, err := goListJSON(context.Background(), root, patterns, true, nil)
			return len(ps), err
		}},
		{"go/packages", func() (int, error) {
			ps, err := goList(context.Background(), root, patterns, true)
			return len(ps), err
		}},
		{"recorded", func() (int, error) {
			ps, _, recorded, err := cachedGoList(context.Background(), c, listingKey(root, patterns, true), root, patterns, true, nil)
			if err == nil && !recorded {
				err = fmt.Errorf("the recorded listing was not used")
			}
			return len(ps), err
		}},
	}
	times := map[string][]time.Duration{}
	for b.Loop() {
		for _, w := range ways {
			start := time.Now()
			n, err := w.list()
			if err != nil {
				b.Fatalf("%s: %v", w.name, err)
			}
			if n < 200 {
				b.Fatalf("%s listed %d packages", w.name, n)
			}
			times[w.name] = append(times[w.name], time.Since(start))
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	for _, w := range ways {
		ts := times[w.name]
		slices.Sort(ts)
		med := ts[len(ts)/2]
		b.ReportMetric(float64(med.Microseconds())/1000, strings.NewReplacer(" ", "", "/", "-").Replace(w.name)+"-ms")
		b.Logf("%-12s median %v over %d runs", w.name, med.Round(100*time.Microsecond), len(ts))
	}
	b.Logf("load average: %s", load)
}
