package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"golang.org/x/tools/txtar"
)

// TestMarkers runs the scenarios of testdata/*.txtar. Each archive is a
// prose preamble saying what it shows, the files of a workspace, sections
// named want/... holding expected file contents, and a "script" section:
// one step per line, run in order against a fake editor, each step waiting
// for an eventual state rather than sleeping. Go files carry
// //@diag(RULE, "text") markers: the "markers" step checks that the file's
// diagnostics are exactly those, each starting at its text on the marker's
// line.
//
// Steps (FILE is relative to the workspace; strings are Go-quoted):
//
//	init [utf8] [pull] [nocreate] [nodocchanges] [nodynamic] [integration=pass|fail]
//	open FILE
//	openbuf FILE want/SECTION    open a new buffer with that text, the file not on disk
//	create FILE want/SECTION     write a file on disk without telling the server (no watcher event yet)
//	markers FILE
//	diag FILE RULE "text"        a diagnostic (RULE may be modls-test, the source) starting at text
//	nodiag FILE RULE
//	nodiags FILE
//	related FILE RULE OTHER "text"   RULE's diagnostic points at text in OTHER
//	edit FILE "old" "new"        an incremental change of the first occurrence
//	action FILE RULE "title"     apply the code action of RULE's diagnostic with that title
//	noaction FILE RULE "title"
//	preferred FILE RULE "title"  the action is marked preferred
//	actionnow FILE RULE "title"  apply it, asked for right after the last
//	                             change, before its diagnostics arrive
//	fixall FILE                  apply source.fixAll.modls
//	want FILE want/SECTION       the file's text (buffer or disk) is the section's
//	lens FILE "line text" "title"    a lens whose title starts so, on the line holding the text
//	nolens FILE "title"
//	run FILE "line text" "title" ok|fail "summary"
//	                             run the command of that lens; it answers
//	                             that outcome and a summary that the
//	                             regexp matches in full
//	cancel FILE "line text" "title" "error" ["progress"]
//	                             run the command of that lens and cancel its
//	                             progress once begun (or once it reported
//	                             that progress); it answers an error
//	                             containing that text
//	noprocess "text"             no running process's command line holds the text
//	message "text"               a window/showMessage containing text was
//	                             shown since the last run or cancel step began
//	progress "text"              a $/progress event containing text was sent
//	settings "json"              the editor's settings changed (didChangeConfiguration)
//	diagrefresh                  the server asked a pulling client to pull
//	                             again after the last change or settings
//	lensrefresh                  the server asked for the lenses to be refreshed
//	write FILE want/SECTION      change a file on disk (outside the editor)
//	pull FILE RULE "text"        textDocument/diagnostic has that diagnostic
//	pullnone FILE RULE
//	wspull FILE RULE "text"      after a workspace/diagnostic given the last one's
//	                             result ids, the file's last full report has that diagnostic
//	wspullnone FILE RULE         ... has no RULE
//	wsunchanged FILE             ... the file was reported unchanged
//	diagat FILE RULE LINE CHAR   a diagnostic starts at that position (0-based, client's encoding)
//
// and the navigation steps of nav_marker_test.go (hover, definition,
// references, …).
func TestMarkers(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runScenario(t, file)
		})
	}
}

func runScenario(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var script string
	sections := map[string]string{}
	var ws []txtar.File
	for _, f := range ar.Files {
		switch {
		case f.Name == "script":
			script = string(f.Data)
		case strings.HasPrefix(f.Name, "want/"):
			sections[f.Name] = string(f.Data)
		default:
			ws = append(ws, f)
		}
	}
	dir := writeWorkspace(t, ws)
	var e *editor
	start := func(args []string) {
		var cfg editorConfig
		var opts Options
		for _, a := range args {
			switch a {
			case "utf8":
				cfg.utf8 = true
			case "pull":
				cfg.pull = true
			case "nocreate":
				cfg.noCreate = true
			case "nodocchanges":
				cfg.noDocChanges = true
			case "nodynamic":
				cfg.noDynamic = true
				opts.WatchQuiet = 20 * time.Millisecond
			case "integration=pass", "integration=fail":
				opts.Integration = fakeIntegration(strings.HasSuffix(a, "fail"))
			default:
				t.Fatalf("init: unknown option %q", a)
			}
		}
		e = newEditor(t, dir, cfg, opts, nil)
	}
	for n, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args := splitArgs(t, line)
		t.Logf("step %d: %s", n+1, line)
		if args[0] != "init" && e == nil {
			start(nil)
		}
		step(t, e, args, sections, start)
	}
	// Whatever ran, nothing was published for a file outside the
	// workspace (a temporary copy of a buffer, say).
	if e != nil {
		e.mu.Lock()
		defer e.mu.Unlock()
		for path := range e.diags {
			if !within(e.dir, path) {
				t.Errorf("diagnostics were published for %s, outside the workspace", path)
			}
		}
	}
}

// splitArgs splits a step into words and Go-quoted strings.
func splitArgs(t *testing.T, line string) []string {
	var out []string
	for line != "" {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			break
		}
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				t.Fatalf("bad string in %q: %v", line, err)
			}
			s, _ := strconv.Unquote(q)
			out = append(out, s)
			line = line[len(q):]
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
	return out
}

func step(t *testing.T, e *editor, a []string, sections map[string]string, start func([]string)) {
	t.Helper()
	need := func(n int) {
		if len(a) != n {
			t.Fatalf("%s takes %d arguments, got %q", a[0], n-1, a[1:])
		}
	}
	switch a[0] {
	case "init":
		if e != nil {
			t.Fatal("init must be the first step")
		}
		start(a[1:])
	case "open":
		need(2)
		e.open(a[1])
	case "openbuf":
		need(3)
		data, ok := sections[a[2]]
		if !ok {
			t.Fatalf("no section %s", a[2])
		}
		if _, err := os.Stat(e.path(a[1])); err == nil {
			t.Fatalf("openbuf: %s is on disk", a[1])
		}
		e.openText(a[1], data)
	case "create":
		need(3)
		data, ok := sections[a[2]]
		if !ok {
			t.Fatalf("no section %s", a[2])
		}
		if err := os.MkdirAll(filepath.Dir(e.path(a[1])), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.path(a[1]), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	case "markers":
		need(2)
		checkMarkers(t, e, a[1])
	case "diag":
		need(4)
		off := offsetOf(t, e.text(a[1]), a[3])
		want := e.posOf(e.text(a[1]), off)
		e.awaitDiagnostics(a[1], fmt.Sprintf("%s at %q in %s", a[2], a[3], a[1]), func(ds []protocol.Diagnostic) bool {
			return findDiag(ds, a[2], want) != nil
		})
	case "diagat":
		need(5)
		l, _ := strconv.Atoi(a[3])
		c, _ := strconv.Atoi(a[4])
		want := protocol.Position{Line: uint32(l), Character: uint32(c)}
		e.awaitDiagnostics(a[1], fmt.Sprintf("%s at %d:%d", a[2], l, c), func(ds []protocol.Diagnostic) bool {
			return findDiag(ds, a[2], want) != nil
		})
	case "nodiag":
		need(3)
		e.awaitDiagnostics(a[1], "no "+a[2]+" in "+a[1], func(ds []protocol.Diagnostic) bool {
			for _, d := range ds {
				if code(d) == a[2] || source(d) == a[2] {
					return false
				}
			}
			return true
		})
	case "nodiags":
		need(2)
		e.awaitDiagnostics(a[1], "no diagnostics in "+a[1], func(ds []protocol.Diagnostic) bool { return len(ds) == 0 })
	case "related":
		need(5)
		other := e.text(a[3])
		want := e.posOf(other, offsetOf(t, other, a[4]))
		e.awaitDiagnostics(a[1], "related information of "+a[2], func(ds []protocol.Diagnostic) bool {
			for _, d := range ds {
				if code(d) != a[2] {
					continue
				}
				for _, r := range d.RelatedInformation {
					p, _ := pathOf(r.Location.URI)
					if p == e.path(a[3]) && r.Location.Range.Start == want {
						return true
					}
				}
			}
			return false
		})
	case "edit":
		need(4)
		e.replace(a[1], a[2], a[3])
	case "actionnow":
		// Right after the last change, without waiting for its
		// diagnostics: the code actions of the whole file.
		need(4)
		end := e.posOf(e.text(a[1]), len(e.text(a[1])))
		var found *protocol.CodeAction
		var titles []string
		for _, ca := range e.codeActions(a[1], protocol.Range{End: end}) {
			titles = append(titles, ca.Title)
			for _, d := range ca.Diagnostics {
				if code(d) == a[2] && strings.HasPrefix(ca.Title, a[3]) {
					found = ca
				}
			}
		}
		if found == nil {
			t.Fatalf("no action %q for %s in %s right after the change; actions %q", a[3], a[2], a[1], titles)
		}
		e.applyEdit(found.Edit)
	case "action", "noaction", "preferred":
		need(4)
		ds := e.diagnostics(a[1])
		var found *protocol.CodeAction
		for _, d := range ds {
			if code(d) != a[2] {
				continue
			}
			for _, ca := range e.codeActions(a[1], d.Range) {
				if strings.HasPrefix(ca.Title, a[3]) {
					found = ca
				}
			}
		}
		switch a[0] {
		case "noaction":
			if found != nil {
				t.Fatalf("unexpected action %q", found.Title)
			}
		case "preferred":
			if found == nil || !isTrue(found.IsPreferred) {
				t.Fatalf("action %q is missing or not preferred", a[3])
			}
		default:
			if found == nil {
				t.Fatalf("no action %q for %s in %s; diagnostics %v", a[3], a[2], a[1], ds)
			}
			e.applyEdit(found.Edit)
		}
	case "fixall":
		need(2)
		e.diagnostics(a[1])
		end := e.posOf(e.text(a[1]), len(e.text(a[1])))
		acts := e.codeActions(a[1], protocol.Range{End: end}, string(fixAllKind))
		if len(acts) != 1 {
			t.Fatalf("want one fix-all action, got %d", len(acts))
		}
		e.applyEdit(acts[0].Edit)
	case "want":
		need(3)
		want, ok := sections[a[2]]
		if !ok {
			t.Fatalf("no section %s", a[2])
		}
		if got := e.text(a[1]); got != want {
			t.Fatalf("%s:\n--- got ---\n%s\n--- want ---\n%s", a[1], got, want)
		}
	case "lens", "nolens":
		var line int = -1
		title := a[len(a)-1]
		if a[0] == "lens" {
			need(4)
			if a[2] != "" {
				text := e.text(a[1])
				line = int(e.posOf(text, offsetOf(t, text, a[2])).Line)
			} else {
				line = 0
			}
		} else {
			need(3)
		}
		lenses := e.codeLenses(a[1])
		found := false
		for _, l := range lenses {
			if strings.HasPrefix(l.Command.Title, title) && (line < 0 || int(l.Range.Start.Line) == line) {
				found = true
			}
		}
		if found != (a[0] == "lens") {
			var titles []string
			for _, l := range lenses {
				titles = append(titles, fmt.Sprintf("%d:%s", l.Range.Start.Line, l.Command.Title))
			}
			t.Fatalf("%s %q on line %d of %s: lenses are %q", a[0], title, line, a[1], titles)
		}
	case "run":
		need(6)
		if a[4] != "ok" && a[4] != "fail" {
			t.Fatalf("run: the outcome is ok or fail, not %q", a[4])
		}
		cmd := lensCommand(t, e, a[1], a[2], a[3])
		var raw jsonrpc2.RawMessage
		if err := e.tryCall("workspace/executeCommand", map[string]any{"command": cmd.Command, "arguments": cmd.Arguments}, &raw); err != nil {
			t.Fatalf("%s: %v", cmd.Command, err)
		}
		var res commandResult
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatalf("%s answered %s: %v", cmd.Command, raw, err)
		}
		summary, err := regexp.Compile("^(?:" + a[5] + ")$")
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if res.OK != (a[4] == "ok") || !summary.MatchString(res.Summary) {
			t.Fatalf("%s answered ok=%v %q, want ok=%v and %s", cmd.Command, res.OK, res.Summary, a[4] == "ok", summary)
		}
	case "cancel":
		if len(a) != 6 {
			need(5)
		}
		cmd := lensCommand(t, e, a[1], a[2], a[3])
		begun := func() int {
			n := 0
			for _, p := range e.progress {
				if strings.HasPrefix(p, "begin") {
					n++
				}
			}
			return n
		}
		e.mu.Lock()
		tokens, begins := len(e.tokens), begun()
		e.mu.Unlock()
		done := make(chan error, 1)
		go func() {
			done <- e.tryCall("workspace/executeCommand", map[string]any{"command": cmd.Command, "arguments": cmd.Arguments}, nil)
		}()
		var token protocol.ProgressToken
		e.await("the command's progress", func() bool {
			if len(e.tokens) > tokens {
				token = e.tokens[len(e.tokens)-1]
			}
			return token != nil && begun() > begins
		})
		if len(a) == 6 {
			e.await("progress "+a[5], func() bool {
				return slices.ContainsFunc(e.progress, func(p string) bool { return strings.Contains(p, a[5]) })
			})
		}
		e.notify("window/workDoneProgress/cancel", map[string]any{"token": token})
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), a[4]) {
				t.Fatalf("the cancelled %s answered %v, want an error saying %q", cmd.Command, err, a[4])
			}
		case <-time.After(waitLimit):
			t.Fatalf("%s was not cancelled", cmd.Command)
		}
	case "noprocess":
		// No process's command line holds the text (polling /proc:
		// there is no event for a process's end that is not ours).
		need(2)
		deadline := time.Now().Add(waitLimit)
		for {
			left := processesWith(a[1])
			if len(left) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("processes still running: %q", left)
			}
			time.Sleep(50 * time.Millisecond)
		}
	case "message":
		need(2)
		e.await("a message containing "+a[1], func() bool {
			for _, m := range e.messages[e.messageMark:] {
				if strings.Contains(m, a[1]) {
					return true
				}
			}
			return false
		})
	case "progress":
		need(2)
		e.await("progress "+a[1], func() bool {
			for _, m := range e.progress {
				if strings.Contains(m, a[1]) {
					return true
				}
			}
			return false
		})
	case "settings":
		need(2)
		var v any
		if err := json.Unmarshal([]byte(a[1]), &v); err != nil {
			t.Fatalf("settings: %v", err)
		}
		e.mu.Lock()
		e.refreshMark = e.refreshesSeen
		e.mu.Unlock()
		e.notify("workspace/didChangeConfiguration", map[string]any{"settings": v})
	case "diagrefresh":
		e.await("a diagnostic refresh after the last change", func() bool { return e.refreshesSeen > e.refreshMark })
	case "lensrefresh":
		e.await("a code lens refresh", func() bool { return e.lensRefreshes > 0 })
	case "write":
		need(3)
		data, ok := sections[a[2]]
		if !ok {
			t.Fatalf("no section %s", a[2])
		}
		path := e.path(a[1])
		_, statErr := os.Stat(path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if !e.cfg.noDynamic {
			e.await("the watcher registration", func() bool { return len(e.registrations) > 0 })
			typ := protocol.FileChangeTypeChanged
			if statErr != nil {
				typ = protocol.FileChangeTypeCreated
			}
			e.diskChanged(path, typ)
		}
	case "wspull", "wspullnone", "wsunchanged":
		// workspace/diagnostic, with the result ids of the last one.
		if a[0] == "wsunchanged" {
			need(2)
		} else if a[0] == "wspull" {
			need(4)
		} else {
			need(3)
		}
		path := e.path(a[1])
		prev := []map[string]any{}
		for p, id := range e.wsResults {
			prev = append(prev, map[string]any{"uri": uriOf(p).String(), "value": id})
		}
		var rep struct {
			Items []struct {
				Kind     string                `json:"kind"`
				URI      uri.URI               `json:"uri"`
				ResultID string                `json:"resultId"`
				Items    []protocol.Diagnostic `json:"items"`
			} `json:"items"`
		}
		e.call("workspace/diagnostic", map[string]any{"previousResultIds": prev}, &rep)
		if e.wsResults == nil {
			e.wsResults, e.wsItems = map[string]string{}, map[string][]protocol.Diagnostic{}
		}
		kind := ""
		for _, it := range rep.Items {
			p, _ := pathOf(it.URI)
			e.wsResults[p] = it.ResultID
			if it.Kind == "full" {
				e.wsItems[p] = it.Items
			}
			if p == path {
				kind = it.Kind
			}
		}
		// What the client shows: the last full report of the file.
		items, ok := e.wsItems[path]
		switch {
		case kind == "" || !ok:
			t.Fatalf("workspace/diagnostic reported nothing for %s: %+v", a[1], rep)
		case a[0] == "wsunchanged":
			if kind != "unchanged" {
				t.Fatalf("workspace/diagnostic reported %s for %s, want unchanged: %v", kind, a[1], items)
			}
		case a[0] == "wspull":
			want := e.posOf(e.text(a[1]), offsetOf(t, e.text(a[1]), a[3]))
			if findDiag(items, a[2], want) == nil {
				t.Fatalf("workspace/diagnostic: no %s at %q in %s: %v", a[2], a[3], a[1], items)
			}
		default:
			for _, d := range items {
				if code(d) == a[2] {
					t.Fatalf("workspace/diagnostic: %s in %s: %v", a[2], a[1], d)
				}
			}
		}
	case "pull", "pullnone":
		file := a[1]
		var want protocol.Position
		if a[0] == "pull" {
			need(4)
			want = e.posOf(e.text(file), offsetOf(t, e.text(file), a[3]))
		} else {
			need(3)
		}
		deadline := time.Now().Add(waitLimit)
		for {
			var rep protocol.RelatedFullDocumentDiagnosticReport
			e.call("textDocument/diagnostic", map[string]any{"textDocument": map[string]any{"uri": uriOf(e.path(file)).String()}}, &rep)
			d := findDiag(rep.Items, a[2], want)
			if a[0] == "pullnone" {
				d = nil
				for i := range rep.Items {
					if code(rep.Items[i]) == a[2] {
						d = &rep.Items[i]
					}
				}
				if d == nil {
					break
				}
			} else if d != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s %s: got %v", a[0], file, a[2], rep.Items)
			}
			// A change on disk is seen once the server has handled it;
			// wait for its refresh request instead of polling fast.
			e.await("a diagnostic refresh", func() bool { return e.diagRefreshes > 0 })
			e.mu.Lock()
			e.diagRefreshes = 0
			e.mu.Unlock()
		}
	default:
		if !navStep(t, e, a) {
			t.Fatalf("unknown step %q", a[0])
		}
	}
}

// processesWith lists the command lines of running processes holding
// text.
func processesWith(text string) []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		cmdline := strings.ReplaceAll(string(data), "\x00", " ")
		if strings.Contains(cmdline, text) {
			out = append(out, cmdline)
		}
	}
	return out
}

// lensCommand finds the command of a lens whose title starts with title,
// on the line holding the text ("" for the first line), and marks the
// messages shown from now on as the command's.
func lensCommand(t *testing.T, e *editor, file, lineText, title string) *protocol.Command {
	t.Helper()
	text := e.text(file)
	line := 0
	if lineText != "" {
		line = int(e.posOf(text, offsetOf(t, text, lineText)).Line)
	}
	var cmd *protocol.Command
	for _, l := range e.codeLenses(file) {
		if strings.HasPrefix(l.Command.Title, title) && int(l.Range.Start.Line) == line {
			cmd = &l.Command
		}
	}
	if cmd == nil {
		t.Fatalf("no lens %q on line %d of %s", title, line, file)
	}
	e.mu.Lock()
	e.messageMark = len(e.messages)
	e.mu.Unlock()
	return cmd
}

// findDiag finds a diagnostic by rule (or source) and start.
func findDiag(ds []protocol.Diagnostic, rule string, start protocol.Position) *protocol.Diagnostic {
	for i, d := range ds {
		if (code(d) == rule || source(d) == rule) && d.Range.Start == start {
			return &ds[i]
		}
	}
	return nil
}

func offsetOf(t *testing.T, text, sub string) int {
	t.Helper()
	i := strings.Index(text, sub)
	if i < 0 {
		t.Fatalf("text %q not found", sub)
	}
	return i
}

var markerRE = regexp.MustCompile(`//@diag\(([A-Za-z0-9-]+), ("(?:[^"\\]|\\.)*")\)`)

// checkMarkers checks a file's diagnostics against its //@diag markers.
func checkMarkers(t *testing.T, e *editor, rel string) {
	t.Helper()
	text := e.text(rel)
	type want struct {
		rule string
		pos  protocol.Position
	}
	var wants []want
	lineStart := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		for _, m := range markerRE.FindAllStringSubmatch(line, -1) {
			s, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(line, s)
			if i < 0 {
				t.Fatalf("marker text %q is not on its line %q", s, line)
			}
			wants = append(wants, want{m[1], e.posOf(text, lineStart+i)})
		}
		lineStart += len(line)
	}
	var last []protocol.Diagnostic
	e.awaitDiagnostics(rel, "the marked diagnostics of "+rel, func(ds []protocol.Diagnostic) bool {
		last = ds
		if len(ds) != len(wants) {
			return false
		}
		for _, w := range wants {
			if findDiag(ds, w.rule, w.pos) == nil {
				return false
			}
		}
		return true
	})
	_ = last
}

// fakeIntegration stands in for the sandbox: every check passes, or the
// service check fails pointing at the manifest.
func fakeIntegration(fail bool) IntegrationRunner {
	return func(ctx context.Context, req IntegrationRequest, progress func(IntegrationCheck)) (*IntegrationResult, error) {
		checks := []IntegrationCheck{
			{Name: "module loads", Status: "pass", Duration: time.Millisecond},
			{Name: "services register", Status: "pass", Duration: time.Millisecond},
		}
		if fail {
			checks[1] = IntegrationCheck{Name: "services register", Status: "fail", Message: "shop.service is not registered", File: filepath.Join(req.ModuleDir, "manifest.json"), Line: 1}
		}
		for _, c := range checks {
			progress(c)
		}
		return &IntegrationResult{Checks: checks, Passed: !fail, Duration: 2100 * time.Millisecond}, nil
	}
}
