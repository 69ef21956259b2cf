package lsp

import (
	"context"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/rules"
)

// fileResult is the last check of one file.
type fileResult struct {
	// version is the buffer's version the check saw; open tells whether
	// the file was open (else the file on disk was checked).
	version int32
	open    bool
	// text is what was checked, for converting positions.
	text  []byte
	diags []checker.Diagnostic
	id    uint64
}

// scheduler runs checks in the background. There is no fixed delay: a
// check starts as soon as something changes and no check is running; a
// change while one runs cancels it (its results would be stale) and one
// follow-up run checks everything pending with the newest text.
type scheduler struct {
	s     *Server
	mu    sync.Mutex
	queue map[string]bool
	// ahead are the files of the changes taken while their session was
	// loaded: the next run builds their navigation index ahead of the
	// requests (navAhead).
	ahead  map[string]bool
	cancel context.CancelFunc
	busy   bool
	wake   chan struct{}
	// idle is closed and replaced whenever the queue empties and no run
	// is in flight.
	idle chan struct{}
}

func newScheduler(s *Server) *scheduler {
	return &scheduler{s: s, queue: map[string]bool{}, ahead: map[string]bool{}, wake: make(chan struct{}, 1), idle: make(chan struct{})}
}

// schedule asks for files to be checked, cancelling a run in flight.
func (q *scheduler) schedule(paths ...string) {
	loaded := q.s.inLoadedSessions(paths)
	q.mu.Lock()
	for _, p := range paths {
		q.queue[p] = true
	}
	for _, p := range loaded {
		q.ahead[p] = true
	}
	if q.cancel != nil {
		q.cancel()
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// checking tells whether a run is in flight or files wait for one.
func (q *scheduler) checking() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.busy || len(q.queue) > 0
}

// pending tells whether a file waits for a check or is being checked.
func (q *scheduler) pending(path string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queue[path] || q.busy
}

func (q *scheduler) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
		for ctx.Err() == nil {
			q.mu.Lock()
			files := q.queue
			if len(files) == 0 {
				q.busy = false
				close(q.idle)
				q.idle = make(chan struct{})
				q.mu.Unlock()
				break
			}
			ahead := sortedKeys(q.ahead)
			q.queue, q.ahead = map[string]bool{}, map[string]bool{}
			runCtx, cancel := context.WithCancel(ctx)
			q.cancel = cancel
			q.busy = true
			q.mu.Unlock()
			left := q.s.run(runCtx, files, ahead)
			q.mu.Lock()
			q.cancel = nil
			for _, f := range left {
				q.queue[f] = true
			}
			q.mu.Unlock()
			cancel()
		}
	}
}

// run checks the packages of the given files, the edited ones first, then
// the packages their change may affect that hold an open file (found once
// the edited ones are checked, as finding them takes the workspace model's
// rebuild, which the edited packages' type-check need not wait for). It
// returns a file of each package it did not get to because it was
// cancelled, affected ones included: the next run starts from the newest
// edit, whose own effects may not reach them. The navigation index of the
// files ahead is built in the background once the edited package's
// compile findings are out, or the run ends first: until then the build
// would take a core from the check the user waits for.
func (s *Server) run(ctx context.Context, files map[string]bool, ahead []string) []string {
	primary := sortedKeys(files)
	done := map[string]bool{}
	left := func(rest []string) []string {
		var out []string
		for _, g := range rest {
			if key := packageKey(g); !done[key] {
				done[key] = true
				out = append(out, g)
			}
		}
		return out
	}
	navAhead := sync.OnceFunc(func() {
		if len(ahead) > 0 {
			s.navAhead(ahead)
		}
	})
	// check checks the queue's packages, and on cancellation returns the
	// files of those it did not get to.
	check := func(queue []string) (rest []string, cancelled bool) {
		for i, f := range queue {
			if ctx.Err() != nil {
				return queue[i:], true
			}
			key := packageKey(f)
			if done[key] {
				continue
			}
			done[key] = true
			if !s.checkFile(ctx, f, navAhead) && ctx.Err() != nil {
				delete(done, key)
				return queue[i:], true
			}
		}
		return nil, false
	}
	// Files opened while their session loads are published from a check
	// of their packages alone first (first.go).
	s.firstPublish(ctx, primary)
	rest, cancelled := check(primary)
	navAhead()
	// The sessions of the packages checked are loaded: finding what they
	// affect does not wait, and is done even when cancelled, to hand it
	// back.
	affected := s.affectedOpen(context.WithoutCancel(ctx), primary[:len(primary)-len(rest)])
	if cancelled {
		return left(append(rest, affected...))
	}
	if rest, cancelled := check(affected); cancelled {
		return left(rest)
	}
	return nil
}

// affectedOpen returns a file of each package whose findings a change of
// the files may change and that holds an open file.
func (s *Server) affectedOpen(ctx context.Context, files []string) []string {
	var out []string
	for _, f := range files {
		e := s.sessionOf(f)
		if e == nil {
			continue
		}
		sess, err := e.wait(ctx)
		if err != nil || sess == nil {
			continue
		}
		for _, a := range sess.Affected(f) {
			if s.hasOpenFile(sess.PackageFiles(a)) {
				out = append(out, a)
			}
		}
	}
	return out
}

// unlisted tells whether a check of a Go file's package left the file out:
// the package was listed before the file existed (an unsaved buffer, or a
// file written and opened before the watcher said so).
func unlisted(diags checker.Diagnostics, path string) bool {
	if !strings.HasSuffix(path, ".go") {
		return false
	}
	_, ok := diags[path]
	return !ok
}

// worthListing tells whether listing the packages again may take in a Go
// file its package's check left out: not when a listing already left it
// out with the same header (build constraints and package clause), as it
// does a file built only with a tag ("//go:build integration"). Typing
// in such a file does not list the packages at every keystroke.
func (s *Server) worthListing(path string) bool {
	text, _, _ := s.readText(path)
	h := fileHeader(text)
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.unlisted[path]
	return !ok || prev != h
}

// leftOut records that a fresh listing left the file out of its package.
func (s *Server) leftOut(path string) {
	text, _, _ := s.readText(path)
	h := fileHeader(text)
	s.mu.Lock()
	s.unlisted[path] = h
	s.mu.Unlock()
}

// fileHeader is what decides whether the go command takes a Go file into
// its package: the text up to the end of the package clause ("" when
// there is none).
func fileHeader(text []byte) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", text, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil || f.Name == nil {
		return ""
	}
	end := fset.Position(f.Name.End()).Offset
	if end > len(text) {
		end = len(text)
	}
	return string(text[:end])
}

// packageKey identifies the package a check of the file covers: its
// directory (a manifest.json is checked with the Go package beside it).
func packageKey(path string) string { return filepath.Dir(path) }

func (s *Server) hasOpenFile(files []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		if s.docs[f] != nil {
			return true
		}
	}
	return false
}

// checkFile checks one file's package, records and publishes the results;
// afterEarly is called once its compile findings are published. It
// reports false when the run was cancelled before recording.
func (s *Server) checkFile(ctx context.Context, path string, afterEarly func()) bool {
	e := s.sessionOf(path)
	var diags checker.Diagnostics
	if e != nil {
		sess, err := e.wait(ctx)
		early := func(compiled checker.Diagnostics) {
			s.publishCompiled(ctx, compiled)
			afterEarly()
		}
		if sess != nil {
			diags, err = sess.CheckFileStaged(ctx, path, early)
			if ctx.Err() == nil && (err != nil && strings.Contains(err.Error(), "reload") || err == nil && unlisted(diags, path) && s.worthListing(path)) {
				// A new directory or file, on disk or only in the
				// editor: list the packages again.
				s.checks.listings.Add(1)
				if rerr := sess.Reload(ctx); rerr == nil {
					diags, err = sess.CheckFileStaged(ctx, path, early)
					if err == nil && unlisted(diags, path) {
						s.leftOut(path)
					}
				} else if ctx.Err() == nil {
					s.log.Printf("listing the packages of %s: %v", sess.Root(), rerr)
				}
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				s.checks.cancelled.Add(1)
				return false
			}
			s.log.Printf("checking %s: %v", path, err)
		}
	}
	if diags == nil {
		diags = checker.Diagnostics{}
	}
	if _, ok := diags[path]; !ok {
		diags[path] = []checker.Diagnostic{}
	}
	s.mu.Lock()
	if ctx.Err() != nil {
		s.mu.Unlock()
		s.checks.cancelled.Add(1)
		return false
	}
	s.checks.recorded.Add(1)
	// Files whose findings changed under text the client already has
	// (another file's edit changed them): a pulling client asks again
	// only for the document it edited, unless told to refresh.
	var stale []string
	for file, ds := range diags {
		r := &fileResult{version: -1, diags: ds}
		if d := s.docs[file]; d != nil {
			r.version, r.open, r.text = d.version, true, d.text
		}
		if old := s.results[file]; old == nil && !r.open && len(ds) > 0 || old != nil && old.open == r.open && old.version == r.version && !reflect.DeepEqual(old.diags, ds) {
			stale = append(stale, file)
		}
		s.resultSeq++
		r.id = s.resultSeq
		s.results[file] = r
		delete(s.early, file)
	}
	close(s.resultsChanged)
	s.resultsChanged = make(chan struct{})
	caps := s.caps
	s.mu.Unlock()
	switch {
	case !caps.pull:
		// The file the check was for first: the one being edited, whose
		// editor waits for it.
		s.publish(path)
		for _, file := range sortedKeys(diags) {
			if file != path {
				s.publish(file)
			}
		}
	case len(stale) == 0:
	case caps.pullRefresh:
		s.refreshDiagnostics()
	default:
		// A pulling client that cannot be asked to refresh is told.
		sort.Strings(stale)
		for _, file := range stale {
			s.publish(file)
		}
	}
	return true
}

// refreshDiagnostics asks a pulling client to pull again
// (workspace/diagnostic/refresh), in the background; requests asked for
// while one is in flight are merged into one more.
func (s *Server) refreshDiagnostics() {
	s.mu.Lock()
	if s.refreshing {
		s.refreshAgain = true
		s.mu.Unlock()
		return
	}
	s.refreshing = true
	s.mu.Unlock()
	s.goBackground(func(ctx context.Context) {
		for {
			if err := s.callClient(ctx, "workspace/diagnostic/refresh", nil, nil); err != nil && ctx.Err() == nil {
				s.log.Printf("workspace/diagnostic/refresh: %v", err)
			}
			s.mu.Lock()
			if !s.refreshAgain || ctx.Err() != nil {
				s.refreshing = false
				s.mu.Unlock()
				return
			}
			s.refreshAgain = false
			s.mu.Unlock()
		}
	})
}

// publish sends a file's diagnostics (the checker's and the last test
// run's), or an empty list to clear what was shown. Files that are not
// open are published only when they have or had something to show.
func (s *Server) publish(path string) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	s.mu.Lock()
	r := s.results[path]
	d := s.docs[path]
	had := s.pushed[path]
	s.mu.Unlock()
	items, version, ok := s.fileDiagnostics(path)
	if !ok {
		return
	}
	if len(items) == 0 && d == nil && !had {
		return
	}
	if r == nil && d == nil && !had && len(items) == 0 {
		return
	}
	p := &protocol.PublishDiagnosticsParams{URI: uriOf(path), Diagnostics: items}
	if d != nil && version >= 0 {
		p.Version = protocol.NewOptional(version)
	}
	s.mu.Lock()
	s.pushed[path] = len(items) > 0
	s.mu.Unlock()
	s.notify("textDocument/publishDiagnostics", p)
}

// fileDiagnostics converts a file's current results to LSP, with the
// version of the text they were computed on. ok is false when the file
// has nothing recorded at all.
func (s *Server) fileDiagnostics(path string) (items []protocol.Diagnostic, version int32, ok bool) {
	s.mu.Lock()
	r := s.results[path]
	if early := s.early[path]; early != nil {
		r = early
	}
	tests := append([]testFailure(nil), s.testDiags[path]...)
	caps := s.caps
	d := s.docs[path]
	s.mu.Unlock()
	if d != nil && d.outOfSync != "" {
		// Nothing is known of the editor's text.
		return []protocol.Diagnostic{}, -1, true
	}
	if r == nil && len(tests) == 0 {
		return nil, 0, d != nil
	}
	items = []protocol.Diagnostic{}
	version = -1
	var text []byte
	if r != nil {
		version = r.version
		text = r.text
		if text == nil {
			text, _, _ = s.readText(path)
		}
		m := newMapper(text)
		compile := s.showCompileErrors()
		changed := s.onChangedLines(path, text)
		for _, cd := range r.diags {
			if cd.Rule == checker.RuleCompile && !compile {
				continue
			}
			if changed != nil && !changed(cd.Line) {
				continue
			}
			items = append(items, s.toProtocol(cd, text, m, caps))
		}
	}
	if len(tests) > 0 {
		if text == nil {
			text, _, _ = s.readText(path)
		}
		m := newMapper(text)
		for _, t := range tests {
			items = append(items, testDiagnostic(t, text, m, caps.enc))
		}
	}
	return items, version, true
}

// toProtocol converts a checker diagnostic; text is the file's content the
// diagnostic's byte positions refer to.
func (s *Server) toProtocol(d checker.Diagnostic, text []byte, m *mapper, caps clientCaps) protocol.Diagnostic {
	out := protocol.Diagnostic{
		Range:    goRange(text, m, d.Line, d.Column, d.EndLine, d.EndColumn, caps.enc),
		Severity: severity(d.Severity),
		Code:     protocol.String(d.Rule),
		Source:   protocol.NewOptional("modls"),
		Message:  protocol.String(d.Message),
	}
	href := d.URL
	if href == "" {
		if r, ok := rules.ByID(d.Rule); ok {
			href = r.Doc.URL()
		}
	}
	if href != "" {
		if u, err := parseURI(href); err == nil {
			out.CodeDescription = protocol.CodeDescription{Href: u}
		}
	}
	for _, p := range d.Related {
		ptext, _, _ := s.readText(p.File)
		if p.File == d.File {
			ptext = text
		}
		pm := newMapper(ptext)
		out.RelatedInformation = append(out.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: uriOf(p.File), Range: goRange(ptext, pm, p.Line, p.Column, p.EndLine, p.EndColumn, caps.enc)},
			Message:  p.Message,
		})
	}
	var tags []protocol.DiagnosticTag
	switch {
	case d.Rule == checker.RuleSuppression && strings.Contains(d.Message, "suppresses nothing"):
		tags = append(tags, protocol.DiagnosticTagUnnecessary)
	case strings.Contains(d.Message, "deprecated"):
		tags = append(tags, protocol.DiagnosticTagDeprecated)
	}
	if len(tags) > 0 {
		out.Tags = protocol.NewDiagnosticTags(tags...)
	}
	return out
}

// goRange converts Go positions (1-based lines, byte columns) to an LSP
// range in the client's encoding.
func goRange(text []byte, m *mapper, line, col, endLine, endCol int, enc encoding) protocol.Range {
	start := goOffset(text, line, col)
	end := start
	if endLine > 0 {
		end = goOffset(text, endLine, endCol)
	}
	if end < start {
		end = start
	}
	return offsetRange(m, start, end, enc)
}

func offsetRange(m *mapper, start, end int, enc encoding) protocol.Range {
	sl, sc := m.position(start, enc)
	el, ec := m.position(end, enc)
	return protocol.Range{Start: protocol.Position{Line: sl, Character: sc}, End: protocol.Position{Line: el, Character: ec}}
}

func severity(s string) protocol.DiagnosticSeverity {
	switch s {
	case "error":
		return protocol.DiagnosticSeverityError
	case "warning":
		return protocol.DiagnosticSeverityWarning
	case "info":
		return protocol.DiagnosticSeverityInformation
	}
	return protocol.DiagnosticSeverityHint
}

// waitIdle waits until no check is pending or running (for tests and for
// commands that want settled results).
func (q *scheduler) waitIdle(ctx context.Context) error {
	for {
		q.mu.Lock()
		idle := len(q.queue) == 0 && !q.busy
		ch := q.idle
		q.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
