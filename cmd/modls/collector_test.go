package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcSettings reads the collector's percent and memory limit.
func gcSettings() (int, int64) {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p, debug.SetMemoryLimit(-1)
}

// TestCollectLate: the collector is off, under a limit, until the first
// collection; then it collects at the percent, without the limit; a
// check of many packages sets another percent; restore puts back what
// was there. With GOMEMLIMIT set, the limit is the user's and collecting
// starts at the percent.
func TestCollectLate(t *testing.T) {
	p0, was := gcSettings()
	defer func() {
		debug.SetGCPercent(p0)
		debug.SetMemoryLimit(was)
	}()
	// As in a process started without GOMEMLIMIT.
	t.Setenv("GOMEMLIMIT", "")
	const l0 = math.MaxInt64
	debug.SetMemoryLimit(l0)
	c := collectLate(400)
	if p, l := gcSettings(); p != -1 || l != firstCollection {
		t.Fatalf("before the first collection: percent %d, limit %d; want off, %d", p, l, firstCollection)
	}
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, l := gcSettings()
		if p == 400 && l == l0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a collection: percent %d, limit %d; want 400, no limit", p, l)
		}
		runtime.GC() // the cleanup runs after a collection, in its own time
		time.Sleep(time.Millisecond)
	}
	c.at(50)
	if p, l := gcSettings(); p != 50 || l != l0 {
		t.Errorf("after at(50): percent %d, limit %d", p, l)
	}
	c.restore()
	if p, l := gcSettings(); p != p0 || l != l0 {
		t.Errorf("restored: percent %d, limit %d; want %d, %d", p, l, p0, l0)
	}

	// A check of many packages before any collection: at once at the
	// percent, without the limit.
	c = collectLate(400)
	c.at(50)
	if p, l := gcSettings(); p != 50 || l != l0 {
		t.Errorf("at(50) before a collection: percent %d, limit %d", p, l)
	}
	c.restore()

	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	c = collectLate(400)
	if p, l := gcSettings(); p != 400 || l != 1<<30 {
		t.Errorf("with GOMEMLIMIT: percent %d, limit %d; want 400, the user's", p, l)
	}
	c.restore()
	if p, l := gcSettings(); p != p0 || l != 1<<30 {
		t.Errorf("with GOMEMLIMIT, restored: percent %d, limit %d", p, l)
	}
}
