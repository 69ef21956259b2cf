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
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("modules=%d", n), func(b *testing.B) {
			root := filepath.Join(b.TempDir(), "ws")
			if err := genworkspace.Generate(root, n, genworkspace.Options{Framework: ".."}); err != nil {
				b.Fatal(err)
			}
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
}
