package checker

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Phases of a check, as Timings counts them.
const (
	// PhaseLoad is listing the packages (go list), reading their files,
	// building the workspace model and computing the cache keys.
	PhaseLoad = "load"
	// PhaseTypeCheck is parsing and type-checking, the dependencies'
	// declarations included, summed over the packages checked in parallel.
	PhaseTypeCheck = "type-check"
	// PhaseRules is running the analyzers, summed likewise.
	PhaseRules = "rules"
	// PhaseCache is reading and writing the cache: findings, facts and
	// export data.
	PhaseCache = "cache"
)

// Timings collects where a check's time goes, for `modls check
// --timings`. Phases that run package by package in parallel (type-check,
// rules) are summed over the packages, so they may add up to more than
// the wall time of the check. It is safe for concurrent use.
type Timings struct {
	mu       sync.Mutex
	wall     time.Duration
	phases   map[string]time.Duration
	rules    map[string]time.Duration
	packages map[string]time.Duration
}

// NewTimings returns an empty collection.
func NewTimings() *Timings {
	return &Timings{phases: map[string]time.Duration{}, rules: map[string]time.Duration{}, packages: map[string]time.Duration{}}
}

// Named is a duration with what it measured.
type Named struct {
	Name     string
	Duration time.Duration
}

func (t *Timings) add(m map[string]time.Duration, name string, d time.Duration) {
	if t == nil {
		return
	}
	t.mu.Lock()
	m[name] += d
	t.mu.Unlock()
}

// phase adds to a phase's time.
func (t *Timings) phase(name string, since time.Time) {
	if t != nil {
		t.add(t.phases, name, time.Since(since))
	}
}

// rule adds to an analyzer's time, and so to the rules phase.
func (t *Timings) rule(name string, d time.Duration) {
	if t != nil {
		t.mu.Lock()
		t.rules[name] += d
		t.phases[PhaseRules] += d
		t.mu.Unlock()
	}
}

// pkg adds to a package's time (its check from the cache's miss to its
// findings).
func (t *Timings) pkg(path string, since time.Time) {
	if t != nil {
		t.add(t.packages, path, time.Since(since))
	}
}

// total adds to the wall time of the check.
func (t *Timings) total(since time.Time) {
	if t != nil {
		t.mu.Lock()
		t.wall += time.Since(since)
		t.mu.Unlock()
	}
}

// Wall is the wall time of the checks timed.
func (t *Timings) Wall() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wall
}

// Phases returns each phase's time, in the order a check goes through
// them.
func (t *Timings) Phases() []Named {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Named
	for _, p := range []string{PhaseLoad, PhaseTypeCheck, PhaseRules, PhaseCache} {
		out = append(out, Named{p, t.phases[p]})
	}
	return out
}

// Rules returns each analyzer's time (the rules' analyzers are named after
// their IDs; the others are what they require), longest first.
func (t *Timings) Rules() []Named { return t.sorted(t.rules) }

// Packages returns each package checked (not answered from the cache)
// with its time, longest first.
func (t *Timings) Packages() []Named { return t.sorted(t.packages) }

func (t *Timings) sorted(m map[string]time.Duration) []Named {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Named, 0, len(m))
	for k, v := range m {
		out = append(out, Named{k, v})
	}
	slices.SortFunc(out, func(a, b Named) int {
		if c := cmp.Compare(b.Duration, a.Duration); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}
