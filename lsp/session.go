package lsp

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/workspace"
)

// sessionEntry is the checker session of one Go module, loaded in the
// background: ready is closed when session or err is set.
type sessionEntry struct {
	root    string
	ready   chan struct{}
	session *checker.Session
	err     error

	// start is closed when the load may begin: once the first check of
	// the files opened while it waited has published (first.go), or
	// firstOpenWait after the entry was made if no file was opened by
	// then. firstBegun (guarded by Server.mu) says that check has begun.
	start      chan struct{}
	startOnce  sync.Once
	firstBegun bool
	// first: the files opened while the session loads are checked on
	// their own first; set when the entry is made, for an application
	// large enough that its load takes long (firstCheckMinModules).
	first bool
}

// firstCheckMinModules is the number of modules from which a session's
// files opened while it loads are checked on their own first. Below it,
// the load itself (a listing and a model of a few dozen modules, a few
// hundred milliseconds) answers about as soon, and checking the file
// twice would only cost the machine.
const firstCheckMinModules = 40

// countModules counts the modules' manifests of the applications in root,
// at root or up to two directories below it, up to limit.
func countModules(root string, limit int) int {
	n := 0
	for _, pattern := range []string{"modules/*/*/manifest.json", "*/modules/*/*/manifest.json", "*/*/modules/*/*/manifest.json"} {
		if n >= limit {
			break
		}
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		n += len(m)
	}
	return n
}

// firstOpenWait is how long a session's load waits for a file to be
// opened before it begins: an editor opens its files right after
// initialized, and the first of them is checked on its own, before the
// load takes the machine (first.go).
const firstOpenWait = 250 * time.Millisecond

// release lets the load begin.
func (e *sessionEntry) release() { e.startOnce.Do(func() { close(e.start) }) }

// sessionFor returns the session of the Go module rooted at root, starting
// to load it if needed.
func (s *Server) sessionFor(root string) *sessionEntry {
	s.mu.Lock()
	e := s.sessions[root]
	if e != nil {
		s.mu.Unlock()
		return e
	}
	e = &sessionEntry{root: root, ready: make(chan struct{}), start: make(chan struct{})}
	if e.first = countModules(root, s.firstMinModules) >= s.firstMinModules; !e.first {
		e.release()
	}
	s.sessions[root] = e
	overlay := map[string][]byte{}
	for path, d := range s.docs {
		if within(root, path) {
			overlay[path] = d.text
		}
	}
	s.mu.Unlock()
	s.goBackground(func(ctx context.Context) {
		defer close(e.ready)
		s.awaitStart(ctx, e)
		if s.beforeLoad != nil {
			s.beforeLoad(root)
		}
		cfg, err := s.checkerConfig(root)
		if err != nil {
			s.showMessage(1, "modls: %v (using the default rules)", err)
			cfg = nil
		}
		cachePath := s.opts.CachePath
		if cachePath == "" {
			cachePath, _ = checker.DefaultCachePath()
		}
		sess, err := checker.NewSessionCache(ctx, root, cfg, cachePath)
		if err != nil {
			e.err = err
			s.log.Printf("loading %s: %v", root, err)
			return
		}
		// Buffers opened while the session loaded.
		s.mu.Lock()
		for path, d := range s.docs {
			if within(root, path) {
				overlay[path] = d.text
			}
		}
		for path, data := range overlay {
			sess.SetOverlay(path, data)
		}
		e.session = sess
		s.mu.Unlock()
		s.log.Printf("loaded %s", root)
	})
	return e
}

// awaitStart waits until the session's load may begin: the first check
// of the files opened meanwhile has published, or no file was opened
// within firstOpenWait.
func (s *Server) awaitStart(ctx context.Context, e *sessionEntry) {
	timer := time.NewTimer(firstOpenWait)
	defer timer.Stop()
	select {
	case <-e.start:
		return
	case <-ctx.Done():
		return
	case <-timer.C:
	}
	s.mu.Lock()
	begun := e.firstBegun
	s.mu.Unlock()
	if !begun {
		e.release()
		return
	}
	select {
	case <-e.start:
	case <-ctx.Done():
	}
}

// sessionOf returns the entry of the session a file belongs to, or nil
// when it is in no Go module.
func (s *Server) sessionOf(path string) *sessionEntry {
	root, err := workspace.FindRoot(filepath.Dir(path))
	if err != nil {
		return nil
	}
	return s.sessionFor(root)
}

// wait waits for the session to be loaded.
func (e *sessionEntry) wait(ctx context.Context) (*checker.Session, error) {
	select {
	case <-e.ready:
		return e.session, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loaded returns the session if it is ready.
func (e *sessionEntry) loaded() *checker.Session {
	select {
	case <-e.ready:
		return e.session
	default:
		return nil
	}
}

// within tells whether path is dir or below it.
func within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}
