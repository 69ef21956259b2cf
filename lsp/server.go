// Package lsp is modls's language server: diagnostics as the user types,
// quick fixes, code lenses that run a module's tests and its sandboxed
// integration checks, over the Language Server Protocol on a stream
// (stdio for `modls serve`).
//
// It is the only package of modls that knows the protocol: it converts
// between LSP and the checker's, the fixes' and the sandbox's own types,
// and delegates the work to them. Each LSP method is handled in a file of
// its own (initialize.go, text_synchronization.go, code_action.go,
// code_lens.go, ...); server.go holds the connection, the dispatch table
// and the middleware every request goes through (panic recovery,
// $/cancelRequest, ordering of text synchronization).
package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Options configure a server.
type Options struct {
	// Log receives the server's log (requests that failed, panics,
	// malformed input, runs); nil discards it.
	Log io.Writer
	// Integration runs a module's sandboxed integration checks for the
	// "run integration (sandbox)" lens; nil means the sandbox is not
	// available and the command says so.
	Integration IntegrationRunner
	// GoCommand is the go command used to run tests; "" means "go".
	GoCommand string
	// CachePath is the checker's cache file (the dependencies' export
	// data); "" means checker.DefaultCachePath: $MODLS_CACHE, else the
	// user's cache directory.
	CachePath string
	// WatchQuiet is how long the file watcher waits for a burst of
	// changes (a git checkout) to end before acting on it; 0 means 100ms.
	WatchQuiet time.Duration
}

// Serve runs a server on a stream until the client exits or the stream
// ends. It returns nil after an orderly shutdown and exit.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	s := newServer(opts)
	return s.serve(ctx, rwc)
}

// lifecycle states.
const (
	stateNew = iota
	stateInitialized
	stateShutdown
)

// Server is one client's language server.
type Server struct {
	opts Options
	log  *log.Logger

	conn   jsonrpc2.Conn
	client protocol.Client
	// ctx lives as long as the connection; background work derives from it.
	ctx    context.Context
	cancel context.CancelFunc
	exited chan struct{}
	wg     sync.WaitGroup // background goroutines

	// methods is the dispatch table; tests may add to it.
	methods map[string]method

	// pubMu orders publications: each sends the state it read.
	pubMu sync.Mutex
	// changeMu orders the handling of batches of changes on disk.
	changeMu sync.Mutex

	mu       sync.Mutex
	state    int
	shutDown atomic.Bool // state is stateShutdown, for notify
	exitOnce sync.Once
	caps     clientCaps
	folders  []string
	sessions map[string]*sessionEntry // by Go module root
	// clientSettings are the editor's settings (rules, compile errors).
	clientSettings clientSettings
	// sandbox is the editor's sandbox settings; isolationWarned says the
	// user was told once which layers of isolation this machine lacks.
	sandbox         sandboxSettings
	isolationWarned bool
	docs            map[string]*document
	// results holds the last check of each file.
	results map[string]*fileResult
	// early holds what was published of an open file from a check that
	// has type-checked newer text than results' but not yet recorded it
	// (early.go); it is shown instead of results until a check records.
	early map[string]*fileResult
	// testDiags holds failures of the last test or sandbox run, by file.
	testDiags map[string][]testFailure
	testRev   map[string]int // bumped when a file's test failures change
	// pushed records the files whose last published diagnostics were not
	// empty, so that they can be cleared.
	pushed map[string]bool
	// resultSeq numbers results, for pull diagnostics' resultId.
	resultSeq uint64
	// unlisted holds, by Go file, the header (fileHeader) with which the
	// last listing of the packages left the file out of its package.
	unlisted map[string]string
	// refreshing says a workspace/diagnostic/refresh is in flight;
	// refreshAgain that another was asked for meanwhile.
	refreshing, refreshAgain bool
	// resultsChanged is closed and replaced whenever results change.
	resultsChanged chan struct{}
	lenses         map[string][]lensSpec // the last lenses computed from a file that parsed
	// lensFiles keeps what moduleTypes read of each file, by file.
	lensMu    sync.Mutex
	lensFiles map[string]lensMethods
	outcomes  map[string]string // lens key → the title of its last outcome
	inflight  map[jsonrpc2.ID]context.CancelFunc
	progress  map[string]context.CancelFunc // work-done tokens of running commands
	tokenSeq  int

	sched   *scheduler
	watcher *fileWatcher

	// checks counts the package checks the scheduler ran: recorded, and
	// cancelled before they could be, and the listings of the packages
	// they started; and the files whose compile findings were published
	// before the rules ran (early.go). Tests read them.
	// first counts the files published by the first check of a session
	// still loading (first.go).
	checks struct{ recorded, cancelled, listings, early, first atomic.Int64 }
	// firstHeld holds the sessions whose first check was cancelled: their
	// load waits for the next run (first.go).
	firstHeld map[*sessionEntry]bool
	// beforeLoad, if set, is called when a session's load begins (tests
	// hold the load back with it).
	beforeLoad func(root string)
	// firstMinModules: a session whose applications have fewer modules
	// loads at once, with no first check (first.go); tests set it.
	firstMinModules int

	nav navState // the navigation index (navigation.go)
}

// method is one entry of the dispatch table.
type method struct {
	// ordered methods (text synchronization) run on the read loop, one at a
	// time and in the order they arrived; they must not wait on the client.
	ordered bool
	handle  func(ctx context.Context, s *Server, params jsonrpc2.RawMessage) (any, error)
}

// call adapts a typed handler to the dispatch table.
func call[P any](f func(ctx context.Context, s *Server, p *P) (any, error)) func(context.Context, *Server, jsonrpc2.RawMessage) (any, error) {
	return func(ctx context.Context, s *Server, raw jsonrpc2.RawMessage) (any, error) {
		var p P
		if len(raw) > 0 {
			if err := protocolUnmarshal(raw, &p); err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
			}
		}
		return f(ctx, s, &p)
	}
}

func newServer(opts Options) *Server {
	w := opts.Log
	if w == nil {
		w = io.Discard
	}
	if opts.GoCommand == "" {
		opts.GoCommand = "go"
	}
	if opts.WatchQuiet == 0 {
		opts.WatchQuiet = 100 * time.Millisecond
	}
	s := &Server{
		opts:            opts,
		log:             log.New(&syncWriter{w: w}, "modls: ", log.LstdFlags|log.Lmicroseconds),
		exited:          make(chan struct{}),
		sessions:        map[string]*sessionEntry{},
		docs:            map[string]*document{},
		results:         map[string]*fileResult{},
		early:           map[string]*fileResult{},
		firstHeld:       map[*sessionEntry]bool{},
		firstMinModules: firstCheckMinModules,
		testDiags:       map[string][]testFailure{},
		testRev:         map[string]int{},
		pushed:          map[string]bool{},
		unlisted:        map[string]string{},
		resultsChanged:  make(chan struct{}),
		lenses:          map[string][]lensSpec{},
		lensFiles:       map[string]lensMethods{},
		outcomes:        map[string]string{},
		inflight:        map[jsonrpc2.ID]context.CancelFunc{},
		progress:        map[string]context.CancelFunc{},
	}
	s.methods = map[string]method{
		"initialize":                          {ordered: true, handle: call(initialize)},
		"initialized":                         {ordered: true, handle: call(initialized)},
		"shutdown":                            {ordered: true, handle: shutdown},
		"exit":                                {ordered: true, handle: exit},
		"$/cancelRequest":                     {ordered: true, handle: cancelRequest},
		"$/setTrace":                          {ordered: true, handle: ignore},
		"textDocument/didOpen":                {ordered: true, handle: call(didOpen)},
		"textDocument/didChange":              {ordered: true, handle: didChange},
		"textDocument/didClose":               {ordered: true, handle: call(didClose)},
		"textDocument/didSave":                {ordered: true, handle: call(didSave)},
		"textDocument/codeAction":             {handle: call(codeAction)},
		"textDocument/codeLens":               {handle: call(codeLens)},
		"textDocument/diagnostic":             {handle: call(pullDiagnostics)},
		"workspace/diagnostic":                {handle: call(workspaceDiagnostics)},
		"workspace/executeCommand":            {handle: call(executeCommand)},
		"workspace/didChangeWatchedFiles":     {ordered: true, handle: call(didChangeWatchedFiles)},
		"workspace/didChangeConfiguration":    {ordered: true, handle: call(didChangeConfiguration)},
		"window/workDoneProgress/cancel":      {ordered: true, handle: call(workDoneProgressCancel)},
		"workspace/didChangeWorkspaceFolders": {ordered: true, handle: call(didChangeWorkspaceFolders)},
		"textDocument/hover":                  {handle: call(hover)},
		"textDocument/definition":             {handle: call(definition)},
		"textDocument/references":             {handle: call(references)},
		"textDocument/completion":             {handle: call(completion)},
		"textDocument/documentSymbol":         {handle: call(documentSymbol)},
		"workspace/symbol":                    {handle: call(workspaceSymbol)},
		"textDocument/prepareRename":          {handle: call(prepareRename)},
		"textDocument/rename":                 {handle: call(rename)},
	}
	s.sched = newScheduler(s)
	return s
}

func ignore(context.Context, *Server, jsonrpc2.RawMessage) (any, error) { return nil, nil }

func (s *Server) serve(ctx context.Context, rwc io.ReadWriteCloser) error {
	s.ctx, s.cancel = context.WithCancel(ctx)
	defer s.cancel()
	st := newStream(rwc, func(err error) { s.log.Printf("malformed message: %v", err) })
	st.onReplace = func(key string, n int) {
		s.log.Printf("the client is not reading: replaced the unsent %s (%d replaced)", key, n)
	}
	st.onDrain = func(n int) {
		s.log.Printf("the client read again; %d unsent messages had been replaced by newer ones", n)
	}
	s.conn = jsonrpc2.NewConn(st, jsonrpc2.WithCodec(codec{}))
	s.client = protocol.ClientDispatcher(s.conn)
	s.conn.Go(s.ctx, s.handle)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sched.loop(s.ctx)
	}()
	select {
	case <-s.conn.Done():
	case <-st.ended: // the connection waits for running commands; the server does not
	case <-s.exited:
	case <-ctx.Done():
	}
	failure := st.err()
	if failure != nil {
		s.log.Printf("%v; exiting", failure)
	}
	s.cancel()
	if s.watcher != nil {
		s.watcher.close()
	}
	// Cancelled, the running commands end what they started (a unit-test
	// run's go test, its test binaries and their go-build directories are
	// gone when it returns); a command that ignores its cancellation does
	// not keep the server.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		n := len(s.inflight)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			s.log.Printf("%d requests still running at exit", n)
			break
		}
	}
	// Send what is queued, then close the stream to end the read loop.
	// A read the stream cannot interrupt (a blocking standard input) may
	// keep the loop: do not wait for it long, the process is exiting.
	_ = st.Close()
	closed := make(chan struct{})
	go func() {
		_ = s.conn.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(200 * time.Millisecond):
		s.log.Printf("the input stream did not close; exiting anyway")
	}
	s.wg.Wait()
	s.mu.Lock()
	state := s.state
	sessions := s.sessions
	s.sessions = map[string]*sessionEntry{}
	s.mu.Unlock()
	// The sessions' caches: nothing checks any more.
	for _, e := range sessions {
		if sess := e.loaded(); sess != nil {
			_ = sess.Close()
		}
	}
	select {
	case <-s.exited:
		if state != stateShutdown {
			return errors.New("exit without shutdown")
		}
		return nil
	default:
	}
	if failure != nil {
		return failure
	}
	if err := s.conn.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// handle is the connection's handler: every message goes through it.
func (s *Server) handle(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
	name := req.Method()
	// The lifecycle, as LSP 3.18 has it: before initialize, a request
	// is answered ServerNotInitialized and a notification dropped, exit
	// excepted; after shutdown, a request is answered InvalidRequest and
	// a notification dropped, exit and $/cancelRequest excepted.
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case state == stateNew && name != "initialize" && name != "exit":
		if req.IsCall() {
			return nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "%s before initialize", name)
		}
		return nil, nil
	case state == stateShutdown && name != "exit":
		if req.IsCall() {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s after shutdown", name)
		}
		if name != "$/cancelRequest" {
			return nil, nil
		}
	}
	m, known := s.methods[name]
	if !known {
		if !req.IsCall() {
			// Unknown notifications ($/ or not) are ignored, as LSP says.
			return nil, nil
		}
		return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", name)
	}
	isCall := req.IsCall()
	if !m.ordered {
		jsonrpc2.Async(ctx)
	}
	// The request's context is recycled by the connection when the handler
	// returns, so nothing may be derived from it: requests run under the
	// server's context, and $/cancelRequest cancels them through inflight.
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	var id jsonrpc2.ID
	if isCall {
		id = req.ID()
		s.mu.Lock()
		s.inflight[id] = cancel
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
		}()
	}
	params := req.Params()
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			s.log.Printf("panic in %s: %v\n%s", name, r, debug.Stack())
			err = jsonrpc2.Errorf(jsonrpc2.InternalError, "modls: %s failed: internal error (%v)", name, r)
			result = nil
		}
		if err != nil {
			s.log.Printf("%s: %v", name, err)
			if !isCall {
				err = nil // a notification's error must not end the connection
			}
		}
		if d := time.Since(start); d > time.Second {
			s.log.Printf("%s took %v", name, d.Round(time.Millisecond))
		}
	}()
	result, err = m.handle(ctx, s, params)
	if isCall && ctx.Err() != nil && s.ctx.Err() == nil {
		return nil, jsonrpc2.NewError(protocol.CodeRequestCancelled, "request cancelled")
	}
	if err != nil && isCall {
		var rpcErr *jsonrpc2.Error
		if !errors.As(err, &rpcErr) {
			err = jsonrpc2.NewError(jsonrpc2.Code(protocol.LSPErrorCodesRequestFailed), err.Error())
		}
	}
	return result, err
}

func cancelRequest(_ context.Context, s *Server, raw jsonrpc2.RawMessage) (any, error) {
	var p protocol.CancelParams
	if err := protocolUnmarshal(raw, &p); err != nil {
		return nil, err
	}
	var id jsonrpc2.ID
	switch v := p.ID.(type) {
	case protocol.Integer:
		id = jsonrpc2.NewNumberID(int64(v))
	case protocol.String:
		id = jsonrpc2.NewStringID(string(v))
	default:
		return nil, fmt.Errorf("$/cancelRequest: bad id %v", p.ID)
	}
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil, nil
}

// go runs f in the background for as long as the server lives.
func (s *Server) goBackground(f func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Printf("panic in background work: %v\n%s", r, debug.Stack())
			}
		}()
		f(s.ctx)
	}()
}

// notify sends a notification, logging a failure (the client went away).
// After shutdown, the server sends nothing but answers.
func (s *Server) notify(method string, params any) {
	if s.shutDown.Load() {
		return
	}
	if err := s.conn.Notify(s.ctx, method, params); err != nil && s.ctx.Err() == nil {
		s.log.Printf("notify %s: %v", method, err)
	}
}

// callClient sends a request to the client and waits for its answer.
func (s *Server) callClient(ctx context.Context, method string, params, result any) error {
	if s.shutDown.Load() {
		return fmt.Errorf("%s: the server is shut down", method)
	}
	_, err := s.conn.Call(ctx, method, params, result)
	return err
}

// showMessage shows a message in the editor.
func (s *Server) showMessage(typ protocol.MessageType, format string, args ...any) {
	s.notify("window/showMessage", &protocol.ShowMessageParams{Type: typ, Message: fmt.Sprintf(format, args...)})
}

// syncWriter serializes writes to the log.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isManifest tells whether a path is a module's manifest.json.
func isManifest(path string) bool {
	return strings.HasSuffix(path, "/manifest.json") || path == "manifest.json"
}
