package sandbox

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// benchmarkAnalytics runs standard.analytics of examples/app, reporting the
// wall time of each phase as a metric. With cold set, each run gets an
// empty build cache: everything the harness needs, the standard library and
// the SQLite driver included, is compiled.
//
//	go test ./sandbox -run '^$' -bench Analytics -benchtime 5x
func benchmarkAnalytics(b *testing.B, cold bool) {
	g, err := goEnv(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	user := *g
	defer func() { goenvMu.Lock(); goenvCache = &user; goenvMu.Unlock() }()
	app := filepath.Join(repoRoot, "examples", "app")
	if !cold {
		if _, err := Run(context.Background(), Options{Dir: app, Module: "standard.analytics"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	phases := map[string]time.Duration{}
	for b.Loop() {
		if cold {
			b.StopTimer()
			fresh := user
			fresh.GOCACHE = b.TempDir()
			goenvMu.Lock()
			goenvCache = &fresh
			goenvMu.Unlock()
			b.StartTimer()
		}
		res, err := Run(context.Background(), Options{Dir: app, Module: "standard.analytics", Timeout: 5 * time.Minute}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Passed {
			b.Fatalf("failed:%s", describe(res))
		}
		for _, p := range res.Phases {
			phases[p.Name] += p.Duration
		}
	}
	for name, d := range phases {
		b.ReportMetric(float64(d.Milliseconds())/float64(b.N), name+"-ms/op")
	}
}

func BenchmarkAnalyticsWarm(b *testing.B) { benchmarkAnalytics(b, false) }

func BenchmarkAnalyticsCold(b *testing.B) { benchmarkAnalytics(b, true) }
