package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// firstCollection is the memory at which a check first collects.
const firstCollection = 64 << 20

// A collector paces the garbage collector for a check. Collecting is off
// until the process's memory reaches firstCollection, then at a percent:
// a warm run, or one after an edit (which reads the records of the tree
// and checks a package or two), never collects, where collections from
// the runtime's start at 4 MiB took ~3 ms of a ~48 ms run at 100 modules;
// a check that grows past it collects as it did. GOMEMLIMIT, when set, is
// left alone: the collector then starts at its percent.
type collector struct {
	mu         sync.Mutex
	late       bool // off until the first collection
	percent    int
	oldPercent int
	oldLimit   int64
}

// collectLate sets the collector off until firstCollection, then at
// percent.
func collectLate(percent int) *collector {
	c := &collector{percent: percent, late: os.Getenv("GOMEMLIMIT") == ""}
	if !c.late {
		c.oldPercent = debug.SetGCPercent(percent)
		c.oldLimit = debug.SetMemoryLimit(-1)
		return c
	}
	c.oldLimit = debug.SetMemoryLimit(firstCollection)
	c.oldPercent = debug.SetGCPercent(-1)
	// An object nothing refers to is collected by the first collection,
	// which the limit starts; its cleanup then turns collecting on.
	runtime.AddCleanup(new([64]byte), (*collector).collected, c)
	return c
}

// at makes the collector collect at percent from now on.
func (c *collector) at(percent int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.percent = percent
	c.on()
}

// collected is called after the first collection.
func (c *collector) collected() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.late {
		c.on()
	}
}

// on turns collecting on at c.percent, without the limit; c.mu is held.
func (c *collector) on() {
	if c.late {
		c.late = false
		debug.SetMemoryLimit(c.oldLimit)
	}
	debug.SetGCPercent(c.percent)
}

// restore puts back the settings collectLate found.
func (c *collector) restore() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.late = false
	debug.SetMemoryLimit(c.oldLimit)
	debug.SetGCPercent(c.oldPercent)
}
