package lsp

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// TestSoak sends 10,000 edits and checks that the server survives them
// without leaking goroutines or memory.
func TestSoak(t *testing.T) {
	dir := writeWorkspace(t, shopFiles(t))
	e := newEditor(t, dir, editorConfig{}, Options{}, nil)
	const file = "modules/standard/shop/service.go"
	e.open(file)
	e.diagnostics(file)
	// Warm up: a first round of edits and the checks they cause.
	e.replace(file, "type Service struct{}", "type Service struct{} // ñ")
	e.diagnostics(file)
	before := runtime.NumGoroutine()
	heapBefore := heapInuse()
	anchor := strings.Index(e.text(file), "// ñ") + len("// ñ")
	for i := 0; i < 10000; i++ {
		if i%2 == 0 {
			e.change(file, anchor, anchor, "😀")
		} else {
			e.change(file, anchor, anchor+len("😀"), "")
		}
		if i%1000 == 999 {
			// Requests interleave with the edits.
			e.codeActions(file, protocol.Range{})
			e.codeLenses(file)
		}
	}
	ds := e.diagnostics(file)
	if len(ds) == 0 {
		t.Fatal("no diagnostics after the soak")
	}
	if err := e.srv.sched.waitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var after int
	deadline := time.Now().Add(10 * time.Second)
	for {
		after = runtime.NumGoroutine()
		if after <= before+2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // goroutines of finished requests unwinding
	}
	if after > before+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines grew from %d to %d:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	heapAfter := heapInuse()
	t.Logf("10000 edits: goroutines %d → %d, heap in use %d → %d MiB", before, after, heapBefore>>20, heapAfter>>20)
	if heapAfter > heapBefore+64<<20 {
		t.Fatalf("heap in use grew from %d to %d MiB", heapBefore>>20, heapAfter>>20)
	}
}

func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
