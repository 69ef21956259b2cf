package checker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/modls/modls/bench/genworkspace"
)

// BenchmarkSessionLoad loads a language server's session of generated
// workspaces of 100 and 1,000 modules, two ways interleaved in one run:
// with the listing the cache recorded (what a session does once one is
// recorded and the buffers list as the files on disk do), and with the go
// command listing the packages at every load (what every load did
// before). Both take the dependencies' types from the same cache. It
// reports the median of each and the machine's load average.
//
//	go test ./checker -run '^$' -bench SessionLoad -benchtime 5x
func BenchmarkSessionLoad(b *testing.B) {
	forGenerated(b, []int{100, 1000}, func(b *testing.B, n int, root string) {
		cachePath := filepath.Join(b.TempDir(), "cache.db")
		ctx := context.Background()
		ways := []struct {
			name      string
			goListing bool
		}{{"recorded", false}, {"go-list", true}}
		times := map[string][]time.Duration{}
		load := func(name string, goListing bool) {
			start := time.Now()
			s, err := newSession(ctx, root, nil, cachePath, goListing)
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			d := time.Since(start)
			if name != "first" && s.listedFromRecord == goListing {
				b.Fatalf("%s: listing taken from the record: %v", name, s.listedFromRecord)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			times[name] = append(times[name], d)
		}
		load("first", false) // lists and records
		times = map[string][]time.Duration{}
		for b.Loop() {
			for _, w := range ways {
				load(w.name, w.goListing)
			}
		}
		avg, _ := os.ReadFile("/proc/loadavg")
		for _, w := range ways {
			ts := times[w.name]
			slices.Sort(ts)
			med := ts[len(ts)/2]
			b.ReportMetric(float64(med.Microseconds())/1000, w.name+"-ms")
			b.Logf("%-9s median %v over %d loads", w.name, med.Round(time.Millisecond), len(ts))
		}
		b.Logf("load average %s", avg)
	})
}

// BenchmarkSessionEditAcrossSizes edits a middle module's service.go in
// sessions of generated workspaces of 10 and 1,000 modules and checks its
// package after each edit as the language server does (CheckFileStaged,
// its compile findings handed on first): the server's own share of an
// edit's latency, without the transport. It reports the median and the
// 95th percentile of the checks and the machine's load average.
//
//	go test ./checker -run '^$' -bench SessionEditAcrossSizes -benchtime 200x
func BenchmarkSessionEditAcrossSizes(b *testing.B) {
	forGenerated(b, []int{10, 1000}, func(b *testing.B, n int, root string) {
		ctx := context.Background()
		s, err := NewSessionCache(ctx, root, nil, filepath.Join(b.TempDir(), "cache.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		svc := filepath.Join(root, "modules", "standard", genworkspace.Name(n/2), "service.go")
		data, err := os.ReadFile(svc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CheckFile(ctx, svc); err != nil {
			b.Fatal(err)
		}
		var times []time.Duration
		for i := 0; b.Loop(); i++ {
			s.SetOverlay(svc, fmt.Appendf(slices.Clip(data), "\n// edit %d\n", i))
			start := time.Now()
			ds, err := s.CheckFileStaged(ctx, svc, func(Diagnostics) {})
			if err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
			if _, ok := ds[svc]; !ok {
				b.Fatalf("edit %d: the check did not report on %s", i, svc)
			}
		}
		slices.Sort(times)
		p50, p95 := times[len(times)/2], times[len(times)*95/100]
		avg, _ := os.ReadFile("/proc/loadavg")
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
		b.Logf("%d checks: p50 %v, p95 %v; load average %s", len(times), p50.Round(10*time.Microsecond), p95.Round(10*time.Microsecond), avg)
	})
}

// forGenerated runs f as a sub-benchmark on a workspace of each size,
// generated for it.
func forGenerated(b *testing.B, sizes []int, f func(b *testing.B, n int, root string)) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("modules=%d", n), func(b *testing.B) {
			root := filepath.Join(b.TempDir(), "ws")
			if err := genworkspace.Generate(root, n, genworkspace.Options{Framework: ".."}); err != nil {
				b.Fatal(err)
			}
			f(b, n, root)
		})
	}
}
