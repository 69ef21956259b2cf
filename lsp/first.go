package lsp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/modls/modls/checker"
)

// The first publication of a file opened while its session loads does
// not wait for the load. Loading a session lists every package of the Go
// module and builds the workspace model of every module of the
// application, which at 1,000 modules takes seconds; the opened file's
// findings need only its package and what its rules read. So the first
// run of the scheduler that finds a session still loading checks the
// packages of the open files it was asked for on their own, as `modls
// check DIR` does (checker.Check with their directories as patterns and
// the session's configuration and cache): the listing of those packages
// and their dependencies, recorded in the cache and validated by what go
// list reads; the keys, recorded with the digests of every file they
// depend on (the memo), so that a warm start answers from one row; and,
// when something changed, the workspace model and the type-check of those
// packages, their dependencies' types from the cache's export data. What
// the rules read of the whole application (every module's manifest,
// registrations and lookups) is thus read, or validated by digest, as in
// a full check: the findings are those a check of the whole tree gives
// for those files, which the differential test holds the session to as
// well. They are published as Server.early (shown until the session's
// check records its own), and the session's load begins only then, so
// that it does not take the machine from them.

// firstCheckMemoryLimit is the soft memory limit while a first check
// runs, if the process's is lower.
const firstCheckMemoryLimit = 512 << 20

// firstPublish publishes, for each session still loading, the findings of
// the open Go files among files that have nothing published yet, from a
// check of their packages alone, and then lets the session's load begin.
func (s *Server) firstPublish(ctx context.Context, files []string) {
	byEntry := map[*sessionEntry][]string{}
	var order []*sessionEntry
	for _, f := range files {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		e := s.sessionOf(f)
		if e == nil || !e.first || e.loaded() != nil {
			continue
		}
		s.mu.Lock()
		d := s.docs[f]
		eligible := d != nil && d.outOfSync == "" && s.results[f] == nil && s.early[f] == nil && !s.caps.pull
		if eligible {
			e.firstBegun = true
		}
		s.mu.Unlock()
		if !eligible {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			// A buffer not on disk: its package is listed again by the
			// session's check.
			continue
		}
		if byEntry[e] == nil {
			order = append(order, e)
		}
		byEntry[e] = append(byEntry[e], f)
	}
	// A session whose first check a change cancelled waits for the next
	// run (the one that change started) to check again, or, when that run
	// has no file of its own to check first, to let it load.
	s.mu.Lock()
	for e := range s.firstHeld {
		if byEntry[e] == nil {
			delete(s.firstHeld, e)
			e.release()
		}
	}
	s.mu.Unlock()
	for _, e := range order {
		s.firstCheck(ctx, e, byEntry[e])
		s.mu.Lock()
		if ctx.Err() != nil {
			s.firstHeld[e] = true
		} else {
			delete(s.firstHeld, e)
			e.release()
		}
		s.mu.Unlock()
	}
}

// firstCheck checks the packages of files, open Go files of e's module,
// and publishes their findings for the files whose buffers did not change
// meanwhile.
func (s *Server) firstCheck(ctx context.Context, e *sessionEntry, files []string) {
	cfg, err := s.checkerConfig(e.root)
	if err != nil {
		cfg = nil // the session's load says why
	}
	cachePath := s.opts.CachePath
	if cachePath == "" {
		cachePath, _ = checker.DefaultCachePath()
	}
	var cache *checker.Cache
	if cachePath != "" {
		if c, err := checker.OpenCache(cachePath); err == nil {
			cache = c
			defer c.Close()
		}
	}
	// The buffers that differ from their files are the overlay; a check
	// with none is the one the memo answers.
	overlay := map[string][]byte{}
	versions := map[string]int32{}
	s.mu.Lock()
	for path, d := range s.docs {
		if !within(e.root, path) {
			continue
		}
		if data, err := os.ReadFile(path); err != nil || !bytes.Equal(data, d.text) {
			overlay[path] = d.text
		}
	}
	dirs := map[string]bool{}
	for _, f := range files {
		versions[f] = s.docs[f].version
		dirs[filepath.Dir(f)] = true
	}
	s.mu.Unlock()
	if len(overlay) == 0 {
		overlay = nil
	}
	// With an empty cache the check type-checks its packages'
	// dependencies from source, which holds more than the server's soft
	// memory limit for a moment: the collector is not made to work
	// against it meanwhile (it would triple the time). The limit is back
	// before the session loads.
	if limit := debug.SetMemoryLimit(-1); limit < firstCheckMemoryLimit {
		debug.SetMemoryLimit(firstCheckMemoryLimit)
		defer debug.SetMemoryLimit(limit)
	}
	patterns := make([]string, 0, len(dirs))
	for dir := range dirs {
		patterns = append(patterns, dir)
	}
	sort.Strings(patterns)
	// The findings are published as soon as they are known (never after
	// a cancellation); the check then records what it learnt in the cache.
	found := func(dirs []string, diags []checker.Diagnostic) {
		s.publishFirst(files, versions, dirs, diags)
	}
	_, err = checker.Check(ctx, checker.Options{Dir: e.root, Patterns: patterns, Config: cfg, Overlay: overlay, Cache: cache, Findings: found})
	if err != nil && ctx.Err() == nil {
		s.log.Printf("first check of %s: %v", strings.Join(patterns, " "), err)
	}
}

// publishFirst publishes the first check's findings for the files whose
// buffers did not change meanwhile and that no other check has answered.
func (s *Server) publishFirst(files []string, versions map[string]int32, dirs []string, diags []checker.Diagnostic) {
	checked := map[string]bool{}
	for _, dir := range dirs {
		checked[dir] = true
	}
	byFile := map[string][]checker.Diagnostic{}
	for _, d := range diags {
		byFile[d.File] = append(byFile[d.File], d)
	}
	var publish []string
	s.mu.Lock()
	for _, f := range files {
		d := s.docs[f]
		if !checked[filepath.Dir(f)] || d == nil || d.version != versions[f] || d.outOfSync != "" || s.results[f] != nil || s.early[f] != nil {
			continue
		}
		diags := byFile[f]
		if diags == nil {
			diags = []checker.Diagnostic{}
		}
		s.early[f] = &fileResult{version: d.version, open: true, text: d.text, diags: diags}
		s.checks.first.Add(1)
		publish = append(publish, f)
	}
	s.mu.Unlock()
	for _, f := range publish {
		s.publish(f)
	}
}
