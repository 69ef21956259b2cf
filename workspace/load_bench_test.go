package workspace

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/bench/genworkspace"
)

// BenchmarkLoad builds the model of the 100-module generated workspace
// from nothing, as `modls check` does once per run: every file parsed and
// every declaration checked afresh. cpu-ns/op is the process's user and
// system time per build, steadier than the wall time on a loaded machine.
func BenchmarkLoad(b *testing.B) {
	root := filepath.Join(b.TempDir(), "ws")
	if err := genworkspace.Generate(root, 100, genworkspace.Options{Framework: ".."}); err != nil {
		b.Fatal(err)
	}
	start := cpuTime()
	for b.Loop() {
		generations.Lock()
		generations.cur = nil
		generations.Unlock()
		declCache.Lock()
		declCache.byKey, declCache.byPkg = nil, nil
		declCache.Unlock()
		w, err := Load(root, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(w.Apps) != 1 || len(w.Apps[0].Modules) != 100 {
			b.Fatalf("%d applications", len(w.Apps))
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
