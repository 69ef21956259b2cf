package nav

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/workspace"
)

// BenchmarkRebuild times the index of the generated workspaces of 100 and
// 1,000 modules after a change to one module: the module read again, the
// others taken from the previous index.
func BenchmarkRebuild(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("modules=%d", n), func(b *testing.B) { benchmarkRebuild(b, n) })
	}
}

// generated writes the generated workspace of n modules and loads its
// model.
func generated(b *testing.B, n int) (dir string, ws *workspace.Workspace) {
	dir = filepath.Join(b.TempDir(), "ws")
	root, _ := filepath.Abs("..")
	if err := genworkspace.Generate(dir, n, genworkspace.Options{Framework: root}); err != nil {
		b.Fatal(err)
	}
	ws, err := workspace.Load(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	return dir, ws
}

func benchmarkRebuild(b *testing.B, n int) {
	dir, ws := generated(b, n)
	x := Build(ws, os.ReadFile, nil)
	links := filepath.Join(dir, "modules", "standard", genworkspace.Name(n/2), "links.go")
	src, err := os.ReadFile(links)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src = append(src, '\n')
		ov := workspace.Overlay{links: src}
		b.StopTimer()
		nw, err := ws.WithFile(links, ov)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		read := func(name string) ([]byte, error) {
			if name == links {
				return src, nil
			}
			return os.ReadFile(name)
		}
		x = Build(nw, read, x)
		if x.Fresh() != 1 {
			b.Fatalf("%d modules read afresh, want 1", x.Fresh())
		}
		ws = nw
	}
}

// BenchmarkIndexHeld reports the heap a built index of the generated
// workspaces of 100 and 1,000 modules holds (held-MB, after a collection),
// and times the build.
func BenchmarkIndexHeld(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("modules=%d", n), func(b *testing.B) {
			_, ws := generated(b, n)
			var held uint64
			var ms runtime.MemStats
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				b.StartTimer()
				x := Build(ws, os.ReadFile, nil)
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				held = ms.HeapAlloc - before
				runtime.KeepAlive(x)
				b.StartTimer()
			}
			b.ReportMetric(float64(held)/1e6, "held-MB")
		})
	}
}
