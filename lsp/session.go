package lsp

import (
	"context"
	"path/filepath"
	"strings"

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
}

// sessionFor returns the session of the Go module rooted at root, starting
// to load it if needed.
func (s *Server) sessionFor(root string) *sessionEntry {
	s.mu.Lock()
	e := s.sessions[root]
	if e != nil {
		s.mu.Unlock()
		return e
	}
	e = &sessionEntry{root: root, ready: make(chan struct{})}
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
