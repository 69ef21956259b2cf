package lsp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.lsp.dev/protocol"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/workspace"
)

// fileChange is a change made outside the editor.
type fileChange struct {
	path    string
	deleted bool
	created bool
}

// watchedGlobs are the files whose changes on disk matter.
var watchedGlobs = []string{"**/*.go", "**/manifest.json", "**/go.mod", "**/" + checker.ConfigFile}

// registerWatchers asks the client to watch files for the server.
func (s *Server) registerWatchers(ctx context.Context) {
	var watchers []protocol.FileSystemWatcher
	for _, g := range watchedGlobs {
		watchers = append(watchers, protocol.FileSystemWatcher{GlobPattern: protocol.Pattern(g)})
	}
	params := &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              "modls-watched-files",
		Method:          "workspace/didChangeWatchedFiles",
		RegisterOptions: anyValue(&protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: watchers}),
	}}}
	if err := s.callClient(ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Printf("registering file watchers: %v; watching files myself", err)
		s.mu.Lock()
		folders := append([]string(nil), s.folders...)
		s.mu.Unlock()
		s.startWatcher(folders)
	}
}

func didChangeWatchedFiles(ctx context.Context, s *Server, p *protocol.DidChangeWatchedFilesParams) (any, error) {
	var changes []fileChange
	for _, c := range p.Changes {
		path, err := pathOf(c.URI)
		if err != nil {
			continue
		}
		changes = append(changes, fileChange{path: path, created: c.Type == protocol.FileChangeTypeCreated, deleted: c.Type == protocol.FileChangeTypeDeleted})
	}
	s.filesChanged(changes)
	return nil, nil
}

// filesChanged acts on changes made outside the editor, in the background
// and in the order they came.
func (s *Server) filesChanged(changes []fileChange) {
	if len(changes) == 0 {
		return
	}
	s.goBackground(func(ctx context.Context) {
		s.changeMu.Lock()
		defer s.changeMu.Unlock()
		s.applyFileChanges(ctx, changes)
	})
}

func (s *Server) applyFileChanges(ctx context.Context, changes []fileChange) {
	type perRoot struct {
		reload, config bool
		files          []string
	}
	roots := map[string]*perRoot{}
	var recheck []string
	for _, c := range changes {
		root, err := workspace.FindRoot(filepath.Dir(c.path))
		if err != nil {
			continue
		}
		pr := roots[root]
		if pr == nil {
			pr = &perRoot{}
			roots[root] = pr
		}
		base := filepath.Base(c.path)
		switch {
		case base == "go.mod":
			pr.reload = true
		case base == checker.ConfigFile:
			pr.config = true
		case c.created || c.deleted:
			pr.reload = true
		}
		s.mu.Lock()
		open := s.docs[c.path] != nil
		if c.deleted {
			delete(s.results, c.path)
			delete(s.testDiags, c.path)
		}
		s.mu.Unlock()
		if !open {
			pr.files = append(pr.files, c.path)
		}
		if c.deleted {
			s.clear(c.path)
		} else if strings.HasSuffix(c.path, ".go") || base == "manifest.json" {
			recheck = append(recheck, c.path)
		}
	}
	for root, pr := range roots {
		e := s.sessionFor(root)
		sess, err := e.wait(ctx)
		if err != nil || sess == nil {
			continue
		}
		if pr.config {
			if cfg, err := s.checkerConfig(root); err != nil {
				s.showMessage(protocol.MessageTypeError, "modls: %v", err)
			} else {
				sess.SetConfig(cfg)
			}
		}
		// The session reads these files from disk again.
		for _, f := range pr.files {
			sess.SetOverlay(f, nil)
		}
		if pr.reload {
			if err := sess.Reload(ctx); err != nil {
				s.log.Printf("reloading %s: %v", root, err)
			}
		}
		if pr.config || pr.reload {
			// Every open file of the module may be affected.
			s.mu.Lock()
			for path := range s.docs {
				if within(root, path) {
					recheck = append(recheck, path)
				}
			}
			s.mu.Unlock()
		}
	}
	if len(recheck) == 0 {
		return
	}
	s.sched.schedule(recheck...)
	s.mu.Lock()
	caps := s.caps
	s.mu.Unlock()
	if caps.pull && caps.pullRefresh {
		if err := s.sched.waitIdle(ctx); err != nil {
			return
		}
		if err := s.callClient(ctx, "workspace/diagnostic/refresh", nil, nil); err != nil {
			s.log.Printf("workspace/diagnostic/refresh: %v", err)
		}
	}
}

// clear withdraws what was published for a file.
func (s *Server) clear(path string) {
	s.mu.Lock()
	had := s.pushed[path]
	delete(s.pushed, path)
	pull := s.caps.pull
	s.mu.Unlock()
	if had && !pull {
		s.notify("textDocument/publishDiagnostics", &protocol.PublishDiagnosticsParams{URI: uriOf(path), Diagnostics: []protocol.Diagnostic{}})
	}
}

// fileWatcher is the server's own watcher, for clients that do not watch
// files for it (Neovim on Linux). It watches every directory of the
// workspace folders except vendor/, node_modules/ and .git/, and hands
// bursts of changes (a git checkout) over as one batch once they stop.
type fileWatcher struct {
	w    *fsnotify.Watcher
	done chan struct{}
	once sync.Once
}

func (s *Server) startWatcher(folders []string) {
	if len(folders) == 0 {
		return
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		s.log.Printf("file watcher: %v", err)
		return
	}
	fw := &fileWatcher{w: w, done: make(chan struct{})}
	s.mu.Lock()
	if s.watcher != nil {
		s.mu.Unlock()
		w.Close()
		return
	}
	s.watcher = fw
	s.mu.Unlock()
	for _, f := range folders {
		fw.addTree(f)
	}
	s.goBackground(func(ctx context.Context) { s.watchLoop(ctx, fw) })
}

func (fw *fileWatcher) close() {
	fw.once.Do(func() {
		close(fw.done)
		fw.w.Close()
	})
}

// addTree watches dir and every directory below it that is not skipped.
func (fw *fileWatcher) addTree(dir string) {
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != dir && watchSkip(d.Name()) {
			return filepath.SkipDir
		}
		fw.w.Add(path)
		return nil
	})
}

// watchSkip tells which directories are never watched.
func watchSkip(name string) bool {
	return name == ".git" || name == "vendor" || name == "node_modules"
}

// relevant tells whether a changed file matters to the checker.
func relevant(path string) bool {
	base := filepath.Base(path)
	return strings.HasSuffix(base, ".go") || base == "manifest.json" || base == "go.mod" || base == checker.ConfigFile
}

func (s *Server) watchLoop(ctx context.Context, fw *fileWatcher) {
	pending := map[string]fileChange{}
	var timer *time.Timer
	var fire <-chan time.Time
	var first time.Time
	flush := func() {
		var changes []fileChange
		for _, p := range sortedKeys(pending) {
			changes = append(changes, pending[p])
		}
		pending = map[string]fileChange{}
		fire = nil
		s.filesChanged(changes)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-fw.done:
			return
		case ev, ok := <-fw.w.Events:
			if !ok {
				return
			}
			path := filepath.Clean(ev.Name)
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(path); err == nil && st.IsDir() {
					if !watchSkip(filepath.Base(path)) {
						fw.addTree(path)
						// Files may have landed before the watch: a new module.
						filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
							if err == nil && !d.IsDir() && relevant(p) {
								pending[p] = fileChange{path: p, created: true}
							}
							return nil
						})
					}
				}
			}
			if !relevant(path) {
				if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					// A directory went away: the package list changes.
					if filepath.Ext(path) == "" {
						gone := filepath.Join(path, "gone.go")
						pending[gone] = fileChange{path: gone, deleted: true}
					}
				}
				if len(pending) == 0 {
					continue
				}
			} else {
				c := pending[path]
				c.path = path
				if ev.Has(fsnotify.Create) {
					c.created = true
				}
				if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					c.deleted = true
				} else if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Write) {
					c.deleted = false
				}
				pending[path] = c
			}
			if len(pending) == 0 {
				continue
			}
			// Wait for the burst to end, but not for ever.
			if fire == nil {
				first = time.Now()
			}
			wait := s.opts.WatchQuiet
			if time.Since(first) > 10*s.opts.WatchQuiet {
				wait = 0
			}
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			fire = timer.C
		case <-fire:
			flush()
		case err, ok := <-fw.w.Errors:
			if !ok {
				return
			}
			s.log.Printf("file watcher: %v", err)
		}
	}
}
