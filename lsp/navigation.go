package lsp

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/nav"
	"github.com/modls/modls/workspace"
)

// navState keeps the navigation index of each session, built from the
// workspace model of the session's current text, from the previous index
// and the modules the change reloaded: in the background once the check a
// change starts has published its compile findings (navAhead), or by a
// request that finds the index older than the model. Requests only look
// things up in it.
//
// A build in the background reads a module only while no check runs
// (yieldToChecks): the first index of a large workspace reads every
// module (about a second at 1,000), and checks the user waits for go
// first. A request that needs the index while such a build waits hurries
// it on, so one build at a time reads the modules of a session.
type navState struct {
	mu     sync.Mutex
	byRoot map[string]*navEntry
	// building is the build under way per session root.
	building map[string]*navBuild
	// builds counts the indexes built, modules counts the modules read
	// afresh for them (tests and the benchmark read them).
	builds, modules atomic.Int64
	// ahead says a build ahead of the requests is queued (navAhead);
	// background counts those queued or running.
	ahead      atomic.Bool
	background atomic.Int32
}

// navBusy tells whether a build in the background is queued or running.
func (s *Server) navBusy() bool { return s.nav.background.Load() > 0 }

type navEntry struct {
	ws  *workspace.Workspace
	idx *nav.Index
	mu  sync.Mutex
	// mappers of the index's texts, built on demand.
	mappers map[string]*mapper
}

// navBuild is a build under way: done is closed when its index is
// installed; hurry, once set, stops it yielding to checks.
type navBuild struct {
	done  chan struct{}
	hurry atomic.Bool
}

// navYieldPoll is how often a build in the background looks whether the
// checks it waits for are done.
const navYieldPoll = 2 * time.Millisecond

// navIndex returns the index of the session that holds path, waiting for
// the session to load.
func (s *Server) navIndex(ctx context.Context, path string) (*navEntry, error) {
	return s.buildNav(ctx, path, false)
}

// buildNav returns the index of the session holding path, building it
// if it is older than the session's model. In the background, it yields
// to checks and leaves a build under way to finish alone.
func (s *Server) buildNav(ctx context.Context, path string, background bool) (*navEntry, error) {
	e := s.sessionOf(path)
	if e == nil {
		return nil, nil
	}
	sess, err := e.wait(ctx)
	if err != nil || sess == nil {
		return nil, err
	}
	n := &s.nav
	for {
		ws := sess.Model()
		n.mu.Lock()
		if n.byRoot == nil {
			n.byRoot, n.building = map[string]*navEntry{}, map[string]*navBuild{}
		}
		old := n.byRoot[e.root]
		if old != nil && old.ws == ws {
			n.mu.Unlock()
			return old, nil
		}
		if b := n.building[e.root]; b != nil {
			n.mu.Unlock()
			if background {
				return nil, nil
			}
			b.hurry.Store(true)
			select {
			case <-b.done:
				continue // the model may have moved on meanwhile
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		b := &navBuild{done: make(chan struct{})}
		b.hurry.Store(!background)
		n.building[e.root] = b
		n.mu.Unlock()
		var prev *nav.Index
		if old != nil {
			prev = old.idx
		}
		read := func(name string) ([]byte, error) {
			s.mu.Lock()
			d := s.docs[name]
			s.mu.Unlock()
			if d != nil {
				return d.text, nil
			}
			return os.ReadFile(name)
		}
		return s.finishNav(e.root, ws, b, func() *nav.Index {
			return nav.BuildYielding(ws, read, prev, func() { s.yieldToChecks(ctx, b) })
		}), nil
	}
}

// finishNav runs build and installs its index for root; whatever happens
// (a panic too, which the caller's recovery answers), the build under way
// is over when it returns, so that requests waiting for it go on.
func (s *Server) finishNav(root string, ws *workspace.Workspace, b *navBuild, build func() *nav.Index) *navEntry {
	n := &s.nav
	var ne *navEntry
	defer func() {
		n.mu.Lock()
		if ne != nil {
			n.byRoot[root] = ne
		}
		delete(n.building, root)
		close(b.done)
		n.mu.Unlock()
	}()
	idx := build()
	n.builds.Add(1)
	n.modules.Add(int64(idx.Fresh()))
	ne = &navEntry{ws: ws, idx: idx, mappers: map[string]*mapper{}}
	return ne
}

// yieldToChecks waits while a check runs, unless the build is hurried
// or its context ends.
func (s *Server) yieldToChecks(ctx context.Context, b *navBuild) {
	for !b.hurry.Load() && ctx.Err() == nil && s.sched != nil && s.sched.checking() {
		time.Sleep(navYieldPoll)
	}
}

// navAhead builds the index of the loaded sessions holding paths in the
// background, so that the next request finds it built: requests read
// nothing. One build at most waits behind the running one.
func (s *Server) navAhead(paths []string) {
	if !s.nav.ahead.CompareAndSwap(false, true) {
		return
	}
	files := s.inLoadedSessions(paths)
	if len(files) == 0 {
		s.nav.ahead.Store(false)
		return
	}
	s.nav.background.Add(1)
	s.goBackground(func(ctx context.Context) {
		defer s.nav.background.Add(-1)
		s.nav.ahead.Store(false)
		for _, f := range files {
			if _, err := s.buildNav(ctx, f, true); err != nil {
				s.log.Printf("navigation index: %v", err)
			}
		}
	})
}

// inLoadedSessions returns one of the paths in each loaded session that
// holds one.
func (s *Server) inLoadedSessions(paths []string) []string {
	var files []string
	seen := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range paths {
		for root, e := range s.sessions {
			if within(root, p) && !seen[root] && e.loaded() != nil {
				seen[root] = true
				files = append(files, p)
			}
		}
	}
	return files
}

// mapper returns the mapper of a file's text as the index read it.
func (ne *navEntry) mapper(file string) *mapper {
	ne.mu.Lock()
	defer ne.mu.Unlock()
	m := ne.mappers[file]
	if m == nil {
		text := ne.idx.Text(file)
		if text == nil {
			return nil
		}
		m = newMapper(text)
		ne.mappers[file] = m
	}
	return m
}

// at finds the occurrence at a position of a document.
func (s *Server) navAt(ctx context.Context, p protocol.TextDocumentPositionParams) (*navEntry, *nav.Occurrence, int, error) {
	path, err := pathOf(p.TextDocument.URI)
	if err != nil {
		return nil, nil, 0, err
	}
	ne, err := s.navIndex(ctx, path)
	if err != nil || ne == nil {
		return nil, nil, 0, err
	}
	m := ne.mapper(path)
	if m == nil {
		return ne, nil, 0, nil
	}
	off := m.offset(p.Position.Line, p.Position.Character, s.encoding())
	return ne, ne.idx.At(path, off), off, nil
}

// encoding is the negotiated position encoding.
func (s *Server) encoding() encoding {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caps.enc
}

// rangeOf converts an extent of a file the index read to a range.
func (ne *navEntry) rangeOf(file string, start, end int, enc encoding) (protocol.Range, bool) {
	m := ne.mapper(file)
	if m == nil {
		return protocol.Range{}, false
	}
	sl, sc := m.position(start, enc)
	el, ec := m.position(end, enc)
	return protocol.Range{Start: protocol.Position{Line: sl, Character: sc}, End: protocol.Position{Line: el, Character: ec}}, true
}

// location converts an extent to a protocol location.
func (ne *navEntry) location(l nav.Location, enc encoding) (protocol.Location, bool) {
	r, ok := ne.rangeOf(l.File, l.Start, l.End, enc)
	if !ok {
		if l.Start == 0 && l.End == 0 {
			return protocol.Location{URI: uriOf(l.File)}, true // a whole file
		}
		return protocol.Location{}, false
	}
	return protocol.Location{URI: uriOf(l.File), Range: r}, true
}
