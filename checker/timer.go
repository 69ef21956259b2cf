package checker

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// timer reports where a check's time goes when MODLS_DEBUG=timing.
type timer struct {
	on    bool
	last  time.Time
	start time.Time
	parts []string
}

func newTimer() *timer {
	now := time.Now()
	return &timer{on: os.Getenv("MODLS_DEBUG") == "timing", last: now, start: now}
}

func (t *timer) mark(what string) {
	if !t.on {
		return
	}
	now := time.Now()
	t.parts = append(t.parts, fmt.Sprintf("%s %s", what, now.Sub(t.last).Round(time.Millisecond)))
	t.last = now
}

func (t *timer) report() {
	if t.on {
		fmt.Fprintf(os.Stderr, "modls: timing: %s; total %s\n", strings.Join(t.parts, ", "), time.Since(t.start).Round(time.Millisecond))
	}
}
