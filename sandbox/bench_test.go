package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
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

// BenchmarkSandboxWarm measures the two warm runs of standard.analytics a
// user waits for, alternately: "unchanged", examples/app of this
// repository run again as it is (its binaries are in the cache), and
// "edited", a copy of the application run after a one-line edit of a
// source file of the module, different each time (a constant the module
// uses), so that its binaries are built again. It reports the median of
// each case's wall time and of each of its phases, the time Run spends
// outside the phases ("setup"), the processor time the run took in this
// process and the processes it waited for ("cpu": the builds, the runs of
// module code; less sensitive to the machine's load than the wall time),
// and the machine's load average before and after.
//
//	go test ./sandbox -run '^$' -bench SandboxWarm -benchtime 5x
func BenchmarkSandboxWarm(b *testing.B) {
	app := filepath.Join(repoRoot, "examples", "app")
	ws := b.TempDir()
	if err := copyApplication(ws); err != nil {
		b.Fatal(err)
	}
	edited := filepath.Join(ws, "examples", "app")
	file := filepath.Join(edited, "modules", "standard", "analytics", "service.go")
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	const line = "const maxRecent = 1000\n"
	if !strings.Contains(string(orig), line) {
		b.Fatalf("%s no longer declares %q", file, line)
	}
	edit := func(i int) {
		src := strings.Replace(string(orig), line, fmt.Sprintf("const maxRecent = %d\n", 1000+i), 1)
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	samples := map[string]map[string][]time.Duration{"unchanged": {}, "edited": {}}
	runOnce := func(dir string) *Result {
		before := cpuTime()
		res, err := Run(context.Background(), Options{Dir: dir, Module: "standard.analytics", Timeout: 5 * time.Minute}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Passed {
			b.Fatalf("%s failed:%s", dir, describe(res))
		}
		res.Phases = append(res.Phases, Phase{Name: "cpu", Duration: cpuTime() - before})
		return res
	}
	// Both warm: the build cache holds everything but the edited package.
	runOnce(app)
	edit(-1)
	runOnce(edited)

	record := func(name string, res *Result) {
		s := samples[name]
		s["total"] = append(s["total"], res.Duration)
		rest := res.Duration
		for _, p := range res.Phases {
			s[p.Name] = append(s[p.Name], p.Duration)
			if p.Name != "cpu" {
				rest -= p.Duration
			}
		}
		s["setup"] = append(s["setup"], rest)
	}
	load := loadAverage()
	i := 0
	for b.Loop() {
		edit(i)
		i++
		record("edited", runOnce(edited))
		record("unchanged", runOnce(app))
	}
	median := func(ds []time.Duration) float64 {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	for _, name := range []string{"unchanged", "edited"} {
		for phase, ds := range samples[name] {
			unit := name + "-" + phase + "-median-ms"
			if phase == "total" {
				unit = name + "-median-ms"
			}
			b.ReportMetric(median(ds), unit)
		}
	}
	b.ReportMetric(load, "load1-before")
	b.ReportMetric(loadAverage(), "load1-after")
	b.Logf("load average before %.2f, after %.2f", load, loadAverage())
}

// copyApplication copies what examples/app builds from (go.mod, go.sum,
// the framework) and the application into dst, in this repository's
// layout.
func copyApplication(dst string) error {
	if err := copyFramework(dst); err != nil {
		return err
	}
	app := filepath.Join("examples", "app")
	return copyTree(filepath.Join(repoRoot, app), filepath.Join(dst, app), func(string) bool { return true })
}

// cpuTime is the user and system time of this process and of the
// processes it has waited for.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var total time.Duration
	for _, t := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		total += time.Duration(t.Nano())
	}
	return total
}
