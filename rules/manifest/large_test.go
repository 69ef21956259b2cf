package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/modls/modls/workspace"
)

// largeManifest is a 24 MB manifest.json: one huge array.
func largeManifest() []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"name\": \"standard.broken\",\n  \"features\": [")
	for b.Len() < 24<<20 {
		b.WriteString("\"api\", ")
	}
	b.WriteString("\"api\"]\n}\n")
	return b.Bytes()
}

// largeWorkspace copies the test data to a temporary directory and gives
// its broken module a 24 MB manifest.
func largeWorkspace(tb testing.TB) string {
	tb.Helper()
	src, err := filepath.Abs("testdata")
	if err != nil {
		tb.Fatal(err)
	}
	dst := tb.TempDir()
	err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
	// The copy's go.mod points at the repository by absolute paths.
	gomod := filepath.Join(dst, "go.mod")
	data, _ := os.ReadFile(gomod)
	data = bytes.ReplaceAll(data, []byte("=> ../../.."), []byte("=> "+filepath.Join(src, "../../..")))
	data = bytes.ReplaceAll(data, []byte("=> ../../testdata"), []byte("=> "+filepath.Join(src, "../../testdata")))
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "modules/standard/broken/manifest.json"), largeManifest(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// TestLargeManifest checks that a manifest over the limit is one finding
// at its start, and is not parsed.
func TestLargeManifest(t *testing.T) {
	dir := largeWorkspace(t)
	c := &collector{}
	results := analysistest.Run(c, dir, Analyzer, "./modules/standard/broken")
	var got []string
	for _, r := range results {
		for _, d := range r.Diagnostics {
			posn := r.Pass.Fset.Position(d.Pos)
			rel, _ := filepath.Rel(dir, posn.Filename)
			got = append(got, fmt.Sprintf("%s:%d:%d: %s", filepath.ToSlash(rel), posn.Line, posn.Column, d.Message))
		}
	}
	want := "modules/standard/broken/manifest.json:1:1: manifest.json is larger than 1 MiB; it is not read"
	if strings.Join(got, "\n") != want {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), want)
	}
	for _, e := range c.errs {
		if !strings.Contains(e, "unexpected diagnostic") {
			t.Error(e)
		}
	}
}

// BenchmarkLargeManifest loads the model of a workspace one of whose
// modules has a 24 MB manifest: the time and memory of reading it (the
// rest of the workspace is a few small modules). It reports the heap
// growth of one load as extra-MB.
func BenchmarkLargeManifest(b *testing.B) {
	dir := largeWorkspace(b)
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	for b.Loop() {
		w, err := workspace.Load(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		m := w.Module(filepath.Join(dir, "modules/standard/broken"))
		if m == nil || m.ManifestErr != workspace.ErrManifestTooLarge {
			b.Fatalf("the large manifest was read: %v", m)
		}
		runtime.ReadMemStats(&after)
		peak = max(peak, after.HeapInuse)
	}
	b.ReportMetric(float64(peak-min(peak, before.HeapInuse))/(1<<20), "extra-MB")
}
