package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"golang.org/x/mod/modfile"
	"golang.org/x/tools/txtar"
)

// waitLimit bounds every wait for an eventual state.
const waitLimit = 2 * time.Minute

// editorConfig is what the fake editor tells the server it can do.
type editorConfig struct {
	utf8         bool // prefers UTF-8 positions
	pull         bool // pull diagnostics
	noCreate     bool // no resourceOperations "create"
	noDocChanges bool // no WorkspaceEdit.documentChanges
	noDynamic    bool // no dynamic registration of file watching
	initOptions  any  // initializationOptions, the editor's settings
}

// editor is a fake editor driving a server in-process over a pipe. It
// keeps what the server published and waits for eventual states instead
// of sleeping.
type editor struct {
	t    testing.TB
	dir  string
	cfg  editorConfig
	srv  *Server
	conn jsonrpc2.Conn
	raw  net.Conn
	done chan error

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every notification
	diags         map[string]*protocol.PublishDiagnosticsParams
	publishCount  int
	backwards     []string // publications older than the one before
	onPublish     func(path string)
	messages      []string
	messageMark   int      // messages before it came before the last command
	progress      []string // "begin title", "report msg", "end msg"
	tokens        []protocol.ProgressToken
	registrations []string
	lensRefreshes int
	diagRefreshes int
	// refreshesSeen counts every diagnostic refresh; refreshMark is its
	// count when the last change was sent.
	refreshesSeen, refreshMark int
	// applied holds the edits the server asked for with
	// workspace/applyEdit, accepted and left for the test to apply.
	applied []*protocol.WorkspaceEdit
	// wsResults are the result ids of the last workspace/diagnostic,
	// wsItems each file's last full report.
	wsResults map[string]string
	wsItems   map[string][]protocol.Diagnostic
	docs      map[string]*editorDoc
	// initResult is the server's answer to initialize, as sent.
	initResult jsonrpc2.RawMessage
}

type editorDoc struct {
	version int32
	text    string
}

// newEditor starts a server on dir and initializes it.
func newEditor(t testing.TB, dir string, cfg editorConfig, opts Options, hook func(*Server)) *editor {
	t.Helper()
	opts = testOptions(t, opts)
	e := &editor{t: t, dir: dir, cfg: cfg, changed: make(chan struct{}), diags: map[string]*protocol.PublishDiagnosticsParams{}, docs: map[string]*editorDoc{}, done: make(chan error, 1)}
	a, b := net.Pipe()
	e.raw = b
	e.srv = newServer(opts)
	if hook != nil {
		hook(e.srv)
	}
	go func() { e.done <- e.srv.serve(context.Background(), a) }()
	e.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(b), jsonrpc2.WithCodec(codec{}))
	e.conn.Go(context.Background(), e.handle)
	t.Cleanup(e.close)
	e.call("initialize", e.initializeParams(), &e.initResult)
	e.notify("initialized", map[string]any{})
	return e
}

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	if testing.Verbose() {
		l.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (e *editor) initializeParams() map[string]any {
	encs := []string{"utf-16"}
	if e.cfg.utf8 {
		encs = []string{"utf-8", "utf-16"}
	}
	ops := []string{"create", "rename", "delete"}
	if e.cfg.noCreate {
		ops = []string{}
	}
	caps := map[string]any{
		"general": map[string]any{"positionEncodings": encs},
		"window":  map[string]any{"workDoneProgress": true},
		"workspace": map[string]any{
			"applyEdit":             true,
			"workspaceEdit":         map[string]any{"documentChanges": !e.cfg.noDocChanges, "resourceOperations": ops},
			"didChangeWatchedFiles": map[string]any{"dynamicRegistration": !e.cfg.noDynamic},
			"codeLens":              map[string]any{"refreshSupport": true},
			"diagnostics":           map[string]any{"refreshSupport": true},
		},
		"textDocument": map[string]any{
			"publishDiagnostics": map[string]any{"relatedInformation": true, "versionSupport": true, "tagSupport": map[string]any{"valueSet": []int{1, 2}}},
			"rename":             map[string]any{"prepareSupport": true},
		},
	}
	if e.cfg.pull {
		caps["textDocument"].(map[string]any)["diagnostic"] = map[string]any{"dynamicRegistration": false}
	}
	return map[string]any{
		"initializationOptions": e.cfg.initOptions,
		"processId":             nil,
		"rootUri":               string(uriOf(e.dir).String()),
		"capabilities":          caps,
		"workspaceFolders":      []map[string]any{{"uri": uriOf(e.dir).String(), "name": "ws"}},
	}
}

// handle answers the server's notifications and requests.
func (e *editor) handle(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	e.mu.Lock()
	defer func() {
		close(e.changed)
		e.changed = make(chan struct{})
		e.mu.Unlock()
	}()
	switch req.Method() {
	case "textDocument/publishDiagnostics":
		var p protocol.PublishDiagnosticsParams
		if err := protocol.Unmarshal(req.Params(), &p); err != nil {
			e.t.Errorf("bad publishDiagnostics: %v", err)
			return nil, nil
		}
		path, _ := pathOf(p.URI)
		if v, ok := p.Version.Get(); ok && e.diags[path] != nil {
			if prev, ok := e.diags[path].Version.Get(); ok && v < prev {
				e.backwards = append(e.backwards, fmt.Sprintf("%s: version %d after %d", path, v, prev))
			}
		}
		e.diags[path] = &p
		e.publishCount++
		if e.onPublish != nil {
			e.onPublish(path)
		}
	case "window/showMessage":
		var p protocol.ShowMessageParams
		_ = protocol.Unmarshal(req.Params(), &p)
		e.messages = append(e.messages, p.Message)
	case "window/logMessage":
	case "window/workDoneProgress/create":
		var p protocol.WorkDoneProgressCreateParams
		_ = protocol.Unmarshal(req.Params(), &p)
		e.tokens = append(e.tokens, p.Token)
		return nil, nil
	case "$/progress":
		var p struct {
			Value struct{ Kind, Title, Message string }
		}
		_ = json.Unmarshal(req.Params(), &p)
		e.progress = append(e.progress, strings.TrimSpace(p.Value.Kind+" "+p.Value.Title+p.Value.Message))
	case "client/registerCapability":
		var p protocol.RegistrationParams
		_ = protocol.Unmarshal(req.Params(), &p)
		for _, r := range p.Registrations {
			e.registrations = append(e.registrations, r.Method)
		}
		return nil, nil
	case "workspace/codeLens/refresh":
		e.lensRefreshes++
		return nil, nil
	case "workspace/applyEdit":
		var p protocol.ApplyWorkspaceEditParams
		if err := protocol.Unmarshal(req.Params(), &p); err != nil {
			e.t.Errorf("bad workspace/applyEdit: %v", err)
			return map[string]any{"applied": false}, nil
		}
		e.applied = append(e.applied, &p.Edit)
		return map[string]any{"applied": true}, nil
	case "workspace/diagnostic/refresh":
		e.diagRefreshes++
		e.refreshesSeen++
		return nil, nil
	default:
		if req.IsCall() {
			return nil, jsonrpc2.ErrMethodNotFound
		}
	}
	return nil, nil
}

func (e *editor) close() {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, _ = e.conn.Call(ctx, "shutdown", nil, nil)
	_ = e.conn.Notify(ctx, "exit", nil)
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("server ended with %v", err)
		}
	case <-ctx.Done():
		e.t.Errorf("server did not exit")
	}
	e.conn.Close()
	e.raw.Close()
}

func (e *editor) rawParams(params any) jsonrpc2.RawMessage {
	if params == nil {
		return nil
	}
	if r, ok := params.(jsonrpc2.RawMessage); ok {
		return r
	}
	data, err := json.Marshal(params)
	if err != nil {
		e.t.Fatal(err)
	}
	return data
}

// call sends a request and decodes its result.
func (e *editor) call(method string, params, result any) {
	e.t.Helper()
	if err := e.tryCall(method, params, result); err != nil {
		e.t.Fatalf("%s: %v", method, err)
	}
}

func (e *editor) tryCall(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var raw jsonrpc2.RawMessage
	if _, err := e.conn.Call(ctx, method, e.rawParams(params), &raw); err != nil {
		return err
	}
	if r, ok := result.(*jsonrpc2.RawMessage); ok {
		*r = raw
		return nil
	}
	if result != nil && len(raw) > 0 && string(raw) != "null" {
		return protocol.Unmarshal(raw, result)
	}
	return nil
}

func (e *editor) notify(method string, params any) {
	e.t.Helper()
	if err := e.conn.Notify(context.Background(), method, e.rawParams(params)); err != nil {
		e.t.Fatalf("%s: %v", method, err)
	}
}

func (e *editor) path(rel string) string { return filepath.Join(e.dir, filepath.FromSlash(rel)) }

// open opens a file with its content on disk.
func (e *editor) open(rel string) {
	e.t.Helper()
	data, err := os.ReadFile(e.path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	e.openText(rel, string(data))
}

// openText opens a buffer holding text, whatever is on disk.
func (e *editor) openText(rel, text string) {
	e.t.Helper()
	e.mu.Lock()
	e.docs[e.path(rel)] = &editorDoc{version: 1, text: text}
	e.mu.Unlock()
	lang := "go"
	if strings.HasSuffix(rel, ".json") {
		lang = "json"
	}
	e.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uriOf(e.path(rel)).String(), "languageId": lang, "version": 1, "text": text,
	}})
}

// text is the editor's buffer of an open file, or the file on disk.
func (e *editor) text(rel string) string {
	e.mu.Lock()
	d := e.docs[e.path(rel)]
	e.mu.Unlock()
	if d != nil {
		return d.text
	}
	data, _ := os.ReadFile(e.path(rel))
	return string(data)
}

// posOf is the position of byte offset off of text in the editor's
// encoding, computed as an editor does (clientPosition), not with the
// server's mapper.
func (e *editor) posOf(text string, off int) protocol.Position {
	e.t.Helper()
	p, err := clientPosition(text, off, e.enc())
	if err != nil {
		e.t.Fatalf("position of offset %d: %v", off, err)
	}
	return p
}

// offsetOf is the byte offset of a position the server sent; one no
// editor could use fails the test.
func (e *editor) offsetOf(text string, p protocol.Position) int {
	e.t.Helper()
	off, err := clientOffset(text, p, e.enc())
	if err != nil {
		e.t.Fatalf("the server sent a bad position: %v", err)
	}
	return off
}

func (e *editor) enc() encoding {
	if e.cfg.utf8 {
		return utf8Enc
	}
	return utf16
}

// change sends an incremental change replacing [start, end) bytes.
func (e *editor) change(rel string, start, end int, newText string) {
	e.t.Helper()
	path := e.path(rel)
	e.mu.Lock()
	d := e.docs[path]
	e.mu.Unlock()
	if d == nil {
		e.t.Fatalf("%s is not open", rel)
	}
	rng := map[string]any{"start": e.posOf(d.text, start), "end": e.posOf(d.text, end)}
	e.mu.Lock()
	e.refreshMark = e.refreshesSeen
	e.mu.Unlock()
	d.version++
	d.text = d.text[:start] + newText + d.text[end:]
	e.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uriOf(path).String(), "version": d.version},
		"contentChanges": []any{map[string]any{"range": rng, "text": newText}},
	})
}

// replace changes the first occurrence of old in an open file.
func (e *editor) replace(rel, old, new string) {
	e.t.Helper()
	text := e.text(rel)
	i := strings.Index(text, old)
	if i < 0 {
		e.t.Fatalf("%s has no %q", rel, old)
	}
	e.change(rel, i, i+len(old), new)
}

// version of an open document.
func (e *editor) version(rel string) int32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.docs[e.path(rel)]; d != nil {
		return d.version
	}
	return 0
}

// await waits until cond, checked under the editor's lock after every
// message from the server, holds.
func (e *editor) await(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.After(waitLimit)
	for {
		e.mu.Lock()
		ok := cond()
		ch := e.changed
		e.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			e.mu.Lock()
			defer e.mu.Unlock()
			e.t.Fatalf("timed out waiting for %s; published: %s; messages: %q", what, e.describeLocked(), e.messages)
		}
	}
}

func (e *editor) describeLocked() string {
	var b strings.Builder
	for path, p := range e.diags {
		v, _ := p.Version.Get()
		fmt.Fprintf(&b, "\n  %s (v%d):", path, v)
		for _, d := range p.Diagnostics {
			fmt.Fprintf(&b, " [%v %d:%d %s]", d.Code, d.Range.Start.Line, d.Range.Start.Character, d.Message)
		}
	}
	return b.String()
}

// barrier returns once the server has handled every notification sent
// before it (they run in order on its read loop, before the request after
// them is read) and the editor has handled every message the server sent
// before answering.
func (e *editor) barrier() {
	e.t.Helper()
	e.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": uriOf(filepath.Join(e.dir, "nowhere.go")).String()}}, nil)
}

// settle waits until the server has handled every change sent so far and
// finished the checks they started, and the editor holds every
// publication of those checks.
func (e *editor) settle() {
	e.t.Helper()
	e.barrier()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := e.srv.sched.waitIdle(ctx); err != nil {
		e.t.Fatalf("the server's checks did not finish: %v", err)
	}
	// The navigation index a change queued in the background (polled: it
	// takes milliseconds).
	for e.srv.navBusy() {
		if ctx.Err() != nil {
			e.t.Fatal("the navigation index's build in the background did not finish")
		}
		time.Sleep(time.Millisecond)
	}
	e.barrier()
}

// diagnostics waits until the file's diagnostics reflect its current
// version (for an open file), once the server's checks are done, and
// returns them.
func (e *editor) diagnostics(rel string) []protocol.Diagnostic {
	e.t.Helper()
	return e.awaitDiagnostics(rel, "diagnostics of "+rel, func([]protocol.Diagnostic) bool { return true })
}

// awaitDiagnostics waits until the diagnostics of a file's current version
// (for an open file) satisfy cond once the server's checks are done: a
// check may publish a file twice, its compile findings as soon as the
// package is type-checked and then its full result, and it is the last
// publication that must satisfy cond.
func (e *editor) awaitDiagnostics(rel, what string, cond func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	e.t.Helper()
	path := e.path(rel)
	var out []protocol.Diagnostic
	holds := func() bool {
		p := e.diags[path]
		if p == nil {
			return false
		}
		if d := e.docs[path]; d != nil {
			if v, ok := p.Version.Get(); !ok || v != d.version {
				return false
			}
		}
		out = p.Diagnostics
		return cond(out)
	}
	for {
		e.await(what, holds)
		e.settle()
		e.mu.Lock()
		ok := holds()
		e.mu.Unlock()
		if ok {
			return out
		}
	}
}

func code(d protocol.Diagnostic) string {
	if s, ok := d.Code.(protocol.String); ok {
		return string(s)
	}
	return fmt.Sprint(d.Code)
}

func message(d protocol.Diagnostic) string {
	if s, ok := d.Message.(protocol.String); ok {
		return string(s)
	}
	return fmt.Sprint(d.Message)
}

func source(d protocol.Diagnostic) string {
	s, _ := d.Source.Get()
	return s
}

// applyEdit applies a WorkspaceEdit as an editor would: to open buffers
// through didChange, to other files on disk; CreateFile creates.
func (e *editor) applyEdit(we *protocol.WorkspaceEdit) {
	e.t.Helper()
	apply := func(u protocolURI, version *int32, edits []protocol.TextEdit) {
		path, err := pathOf(u)
		if err != nil {
			e.t.Fatal(err)
		}
		rel, _ := filepath.Rel(e.dir, path)
		e.mu.Lock()
		d := e.docs[path]
		e.mu.Unlock()
		if d != nil {
			if version != nil && *version != d.version {
				e.t.Fatalf("edit of %s is for version %d, the buffer is at %d", rel, *version, d.version)
			}
			// Apply from the last edit backwards so offsets stay valid.
			for i := len(edits) - 1; i >= 0; i-- {
				s := e.offsetOf(d.text, edits[i].Range.Start)
				en := e.offsetOf(d.text, edits[i].Range.End)
				e.change(rel, s, en, edits[i].NewText)
			}
			return
		}
		data, err := os.ReadFile(path)
		if err != nil {
			e.t.Fatalf("edit of %s, which does not exist", rel)
		}
		text := data
		for i := len(edits) - 1; i >= 0; i-- {
			s := e.offsetOf(string(text), edits[i].Range.Start)
			en := e.offsetOf(string(text), edits[i].Range.End)
			text = append(append(append([]byte(nil), text[:s]...), edits[i].NewText...), text[en:]...)
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			e.t.Fatal(err)
		}
		e.diskChanged(path, protocol.FileChangeTypeChanged)
	}
	for u, edits := range we.Changes {
		apply(u, nil, edits)
	}
	for _, dc := range we.DocumentChanges {
		switch c := dc.(type) {
		case *protocol.CreateFile:
			path, _ := pathOf(c.URI)
			if _, err := os.Stat(path); err == nil {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				e.t.Fatal(err)
			}
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				e.t.Fatal(err)
			}
			e.diskChanged(path, protocol.FileChangeTypeCreated)
		case *protocol.TextDocumentEdit:
			var edits []protocol.TextEdit
			for _, el := range c.Edits {
				switch x := el.(type) {
				case *protocol.TextEdit:
					edits = append(edits, *x)
				case *protocol.AnnotatedTextEdit:
					edits = append(edits, x.TextEdit)
				}
			}
			apply(c.TextDocument.URI, c.TextDocument.Version, edits)
		default:
			e.t.Fatalf("unexpected document change %T", dc)
		}
	}
}

// diskChanged tells the server about a file the editor changed on disk,
// as its file watcher would (the server's own watcher sees it otherwise).
func (e *editor) diskChanged(path string, typ protocol.FileChangeType) {
	if e.cfg.noDynamic {
		return
	}
	e.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": uriOf(path).String(), "type": typ}}})
}

// codeActions asks for the code actions of a range of a file.
func (e *editor) codeActions(rel string, rng protocol.Range, only ...string) []*protocol.CodeAction {
	e.t.Helper()
	params := map[string]any{
		"textDocument": map[string]any{"uri": uriOf(e.path(rel)).String()},
		"range":        rng,
		"context":      map[string]any{"diagnostics": []any{}},
	}
	if len(only) > 0 {
		params["context"].(map[string]any)["only"] = only
	}
	var raw jsonrpc2.RawMessage
	e.call("textDocument/codeAction", params, &raw)
	var list []protocol.CommandOrCodeAction
	if err := protocol.Unmarshal(raw, &list); err != nil {
		e.t.Fatalf("code actions: %v in %s", err, raw)
	}
	var out []*protocol.CodeAction
	for _, a := range list {
		if ca, ok := a.(*protocol.CodeAction); ok {
			out = append(out, ca)
		}
	}
	return out
}

// codeLenses lists a file's lenses.
func (e *editor) codeLenses(rel string) []protocol.CodeLens {
	e.t.Helper()
	var out []protocol.CodeLens
	e.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": uriOf(e.path(rel)).String()}}, &out)
	return out
}

// shopFiles is a small module for the long-running tests.
func shopFiles(t testing.TB) []txtar.File {
	ar, err := txtar.ParseFile("testdata/quickfix.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var out []txtar.File
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "modules/") {
			out = append(out, f)
		}
	}
	return out
}

// writeWorkspace writes a txtar archive's files into a new directory with
// a go.mod that takes the framework from this repository and the SQLite
// driver from its empty stand-in, so that tests build quickly.
func writeWorkspace(t testing.TB, files []txtar.File) string {
	t.Helper()
	return writeModule(t, "example.com/shop", files)
}

// writeModule is writeWorkspace for a Go module of the given path.
func writeModule(t testing.TB, modPath string, files []txtar.File) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := writeModuleFiles(dir, modPath, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeModuleFiles(dir, modPath string, files []txtar.File) error {
	root, err := filepath.Abs("..")
	if err != nil {
		return err
	}
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	mf, err := modfile.Parse("go.mod", rootMod, nil)
	if err != nil {
		return err
	}
	gomod := "module " + modPath + "\n\ngo 1.26.0\n\nrequire github.com/modls/modls v0.0.0\n\nrequire (\n"
	for _, r := range mf.Require {
		gomod += "\t" + r.Mod.Path + " " + r.Mod.Version + " // indirect\n"
	}
	gomod += ")\n\nreplace github.com/modls/modls => " + root + "\n"
	gomod += "\nreplace modernc.org/sqlite => " + filepath.Join(root, "rules", "testdata", "sqlitestub") + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	all := append([]txtar.File{{Name: "go.mod", Data: []byte(gomod)}, {Name: "go.sum", Data: sum}}, files...)
	for _, f := range all {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
