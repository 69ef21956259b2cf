package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/internal/confine"
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

// BenchmarkConfinement runs standard.analytics warm, alternately as the
// sandbox did before this confinement ("before": Landlock on the
// filesystem, and no other layer) and with every layer ("confined"), in
// one run, and reports for each the median and 95th percentile of the
// whole run and of the phases that run module code (checks, tests), the
// median of the build, the overhead of confinement (the difference of the
// medians), and the machine's load average. Both go through the launcher,
// whose own cost BenchmarkLauncher (internal/confine) measures.
//
//	go test ./sandbox -run '^$' -bench Confinement -benchtime 20x
func BenchmarkConfinement(b *testing.B) {
	app := filepath.Join(repoRoot, "examples", "app")
	if _, err := Run(context.Background(), Options{Dir: app, Module: "standard.analytics"}, nil); err != nil {
		b.Fatal(err)
	}
	type sample struct{ total, build, module time.Duration }
	runs := map[string][]sample{}
	load := loadAverage()
	for b.Loop() {
		for _, mode := range []string{"before", "confined"} {
			opts := Options{Dir: app, Module: "standard.analytics", Timeout: 5 * time.Minute}
			if mode == "before" {
				opts.disable = previousLayers()
			}
			res, err := Run(context.Background(), opts, nil)
			if err != nil {
				b.Fatal(err)
			}
			if !res.Passed {
				b.Fatalf("%s failed:%s", mode, describe(res))
			}
			s := sample{total: res.Duration}
			for _, p := range res.Phases {
				switch p.Name {
				case "build":
					s.build = p.Duration
				case "checks", "tests":
					s.module += p.Duration
				}
			}
			runs[mode] = append(runs[mode], s)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	stat := func(mode string, f func(sample) time.Duration) (median, p95 time.Duration) {
		var ds []time.Duration
		for _, s := range runs[mode] {
			ds = append(ds, f(s))
		}
		slices.Sort(ds)
		return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*95/100)]
	}
	for _, mode := range []string{"before", "confined"} {
		med, p95 := stat(mode, func(s sample) time.Duration { return s.total })
		b.ReportMetric(ms(med), mode+"-median-ms")
		b.ReportMetric(ms(p95), mode+"-p95-ms")
		bmed, _ := stat(mode, func(s sample) time.Duration { return s.build })
		b.ReportMetric(ms(bmed), mode+"-build-median-ms")
		mmed, mp95 := stat(mode, func(s sample) time.Duration { return s.module })
		b.ReportMetric(ms(mmed), mode+"-modulecode-median-ms")
		b.ReportMetric(ms(mp95), mode+"-modulecode-p95-ms")
	}
	before, _ := stat("before", func(s sample) time.Duration { return s.total })
	after, _ := stat("confined", func(s sample) time.Duration { return s.total })
	b.ReportMetric(ms(after-before), "overhead-median-ms")
	mbefore, _ := stat("before", func(s sample) time.Duration { return s.module })
	mafter, _ := stat("confined", func(s sample) time.Duration { return s.module })
	b.ReportMetric(ms(mafter-mbefore), "overhead-modulecode-median-ms")
	b.ReportMetric(load, "load1-before")
	b.ReportMetric(loadAverage(), "load1-after")
}

// previousLayers disables every layer but those of the sandbox before this
// confinement: Landlock on the filesystem, which needs no_new_privs.
func previousLayers() []string {
	var out []string
	for _, l := range confine.Layers {
		if l != confine.LayerLandlockFS && l != confine.LayerNoNewPrivs && l != confine.LayerSupervisor {
			out = append(out, l)
		}
	}
	return out
}

// loadAverage is the one-minute load average of the machine.
func loadAverage() float64 {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
