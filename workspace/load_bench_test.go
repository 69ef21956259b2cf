package workspace

import (
	"fmt"
	"os"
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

// BenchmarkWithFile times the model after a keystroke in one module of the
// generated workspaces of 100 and 1,000 modules, as the language server
// makes it: the module read again, every other one shared.
func BenchmarkWithFile(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("modules=%d", n), func(b *testing.B) {
			root := filepath.Join(b.TempDir(), "ws")
			if err := genworkspace.Generate(root, n, genworkspace.Options{Framework: ".."}); err != nil {
				b.Fatal(err)
			}
			w, err := Load(root, nil)
			if err != nil {
				b.Fatal(err)
			}
			name := filepath.Join(root, "modules", "standard", genworkspace.Name(n/2), "links.go")
			src, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				src = append(src, '\n')
				if w, err = w.WithFile(name, Overlay{name: src}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
