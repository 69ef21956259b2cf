package lsp

import (
	"context"
	"path/filepath"
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
	s      *Server
	mu     sync.Mutex
	queue  map[string]bool
	cancel context.CancelFunc
	busy   bool
	wake   chan struct{}
	// idle is closed and replaced whenever the queue empties and no run
	// is in flight.
	idle chan struct{}
}

func newScheduler(s *Server) *scheduler {
	return &scheduler{s: s, queue: map[string]bool{}, wake: make(chan struct{}, 1), idle: make(chan struct{})}
}

// schedule asks for files to be checked, cancelling a run in flight. It
// may be called with s.mu held.
func (q *scheduler) schedule(paths ...string) {
	q.mu.Lock()
	for _, p := range paths {
		q.queue[p] = true
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
			q.queue = map[string]bool{}
			runCtx, cancel := context.WithCancel(ctx)
			q.cancel = cancel
			q.busy = true
			q.mu.Unlock()
			left := q.s.run(runCtx, files)
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
// the packages their change may affect that hold an open file. It returns
// a file of each package it did not get to because it was cancelled,
// affected ones included: the next run starts from the newest edit, whose
// own effects may not reach them.
func (s *Server) run(ctx context.Context, files map[string]bool) []string {
	primary := sortedKeys(files)
	queue := append([]string(nil), primary...)
	for _, f := range primary {
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
				queue = append(queue, a)
			}
		}
	}
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
	for i, f := range queue {
		if ctx.Err() != nil {
			return left(queue[i:])
		}
		key := packageKey(f)
		if done[key] {
			continue
		}
		done[key] = true
		if !s.checkFile(ctx, f) && ctx.Err() != nil {
			delete(done, key)
			return left(queue[i:])
		}
	}
	return nil
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

// checkFile checks one file's package, records and publishes the results.
// It reports false when the run was cancelled before recording.
func (s *Server) checkFile(ctx context.Context, path string) bool {
	e := s.sessionOf(path)
	var diags checker.Diagnostics
	if e != nil {
		sess, err := e.wait(ctx)
		if sess != nil {
			diags, err = sess.CheckFile(ctx, path)
			if err != nil && ctx.Err() == nil && strings.Contains(err.Error(), "reload") {
				// A new directory or file: list the packages again.
				if rerr := sess.Reload(ctx); rerr == nil {
					diags, err = sess.CheckFile(ctx, path)
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
	for file, ds := range diags {
		r := &fileResult{version: -1, diags: ds}
		if d := s.docs[file]; d != nil {
			r.version, r.open, r.text = d.version, true, d.text
		}
		s.resultSeq++
		r.id = s.resultSeq
		s.results[file] = r
	}
	close(s.resultsChanged)
	s.resultsChanged = make(chan struct{})
	pull := s.caps.pull
	s.mu.Unlock()
	if !pull {
		for _, file := range sortedKeys(diags) {
			s.publish(file)
		}
	}
	return true
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
	tests := append([]testFailure(nil), s.testDiags[path]...)
	caps := s.caps
	d := s.docs[path]
	s.mu.Unlock()
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
		for _, cd := range r.diags {
			if cd.Rule == checker.RuleCompile && !compile {
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
