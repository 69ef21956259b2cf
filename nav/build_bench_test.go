package nav

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/workspace"
)

// BenchmarkRebuild times the index of the generated 100-module workspace
// after a change to one module: the module read again, the others taken
// from the previous index.
func BenchmarkRebuild(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "ws")
	root, _ := filepath.Abs("..")
	if err := genworkspace.Generate(dir, 100, genworkspace.Options{Framework: root}); err != nil {
		b.Fatal(err)
	}
	ws, err := workspace.Load(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	x := Build(ws, os.ReadFile, nil)
	links := filepath.Join(dir, "modules", "standard", genworkspace.Name(50), "links.go")
	src, err := os.ReadFile(links)
	if err != nil {
		b.Fatal(err)
	}
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
