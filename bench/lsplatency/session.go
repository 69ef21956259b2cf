package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
)

// A target is one server configuration under test.
type target struct {
	Name string
	Argv []string
	// Finding is the class of finding the edits toggle: "modls" (an
	// exported service method without a ServiceMethod entry, MOD002) or
	// "vet" (a self-assignment, the assign analyzer that gopls runs).
	Finding string
	// Recv is the receiver of the method a "modls" edit adds.
	Recv string
	// TypeErrors makes every edit toggle a type error (an undefined
	// name) instead of the analyzer finding: the same edit for every
	// server, reported by its type checker.
	TypeErrors bool
	// InitOptions are sent as initializationOptions and answer
	// workspace/configuration for Section.
	InitOptions map[string]any
	Section     string
	// CacheEnv is the variable naming the server's cache directory, set to
	// a new directory for a cold start.
	CacheEnv string
}

// sessionResult is what one server session measured.
type sessionResult struct {
	FirstDiagnostics time.Duration
	Edits            []editSample
	// CodeActions and CodeLenses are the times of the requests sent once
	// each edit's diagnostics arrived: code actions at the edit, with the
	// diagnostics published there, and the file's code lenses.
	CodeActions []time.Duration
	CodeLenses  []time.Duration
	PeakRSSKiB  int64
}

type editSample struct {
	Appear  bool
	Latency time.Duration
	// Versioned reports whether the matched publication carried the
	// document version.
	Versioned bool
}

// session runs one server from start to exit: initialize, didOpen, first
// diagnostics, then edits timed edits, and reads its peak RSS before
// shutting it down.
func session(ctx context.Context, tg target, workspace, rel, cacheDir string, edits int, opt options) (sessionResult, error) {
	var res sessionResult
	c, err := launch(tg, workspace, cacheDir)
	if err != nil {
		return res, err
	}
	defer c.abandon()

	incremental, err := initialize(ctx, c, tg, workspace, opt)
	if err != nil {
		return res, err
	}

	path := filepath.Join(workspace, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		return res, err
	}
	base := string(data)
	if !strings.HasSuffix(base, "\n") {
		base += "\n"
	}
	uri := fileURI(path)
	c.watchURI(uri)
	opened := time.Now()
	if err := c.notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": base},
	}); err != nil {
		return res, err
	}
	firstCtx, cancel := context.WithTimeout(ctx, opt.timeout)
	defer cancel()
	first, err := c.next(firstCtx)
	if err != nil {
		return res, fmt.Errorf("first diagnostics after didOpen: %w", err)
	}
	res.FirstDiagnostics = first.At.Sub(opened)

	// Let the server finish what starting and opening the file set off
	// (a cold start's whole-workspace check), so that the peak RSS covers
	// it and the first edit is timed on its own.
	if err := c.quiet(ctx, opt.settle, opt.timeout); err != nil {
		return res, err
	}
	text := base
	nonce := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)
	var lastIdent string
	for k := 1; k <= edits; k++ {
		appear := k%2 == 1
		tok := fmt.Sprintf("%s%d", nonce, k)
		block, ident := editBlock(tg, tok, appear)
		newText := base + block
		var change map[string]any
		if incremental {
			change = map[string]any{
				"range": map[string]any{"start": position(text, len(base)), "end": position(text, len(text))},
				"text":  block,
			}
		} else {
			change = map[string]any{"text": newText}
		}
		version := k + 1
		sent := time.Now()
		if err := c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{change},
		}); err != nil {
			return res, err
		}
		text = newText
		want := ident
		if !appear {
			want = lastIdent
		}
		editCtx, cancel := context.WithTimeout(ctx, opt.timeout)
		for {
			p, err := c.next(editCtx)
			if err != nil {
				cancel()
				verb := "appear"
				if !appear {
					verb = "disappear"
				}
				return res, fmt.Errorf("edit %d: waiting for the finding on %s to %s: %w", k, want, verb, err)
			}
			if p.Version != nil && *p.Version < version {
				continue
			}
			if mentions(p.Diagnostics, want) == appear {
				res.Edits = append(res.Edits, editSample{Appear: appear, Latency: p.At.Sub(sent), Versioned: p.Version != nil})
				if err := requestsAfterEdit(editCtx, c, uri, text, len(base), p, &res); err != nil {
					cancel()
					return res, fmt.Errorf("edit %d: %w", k, err)
				}
				break
			}
		}
		cancel()
		lastIdent = ident
		if opt.gap > 0 {
			time.Sleep(opt.gap)
		}
	}

	if res.PeakRSSKiB, err = c.peakRSS(); err != nil {
		return res, err
	}
	if err := c.close(opt.timeout); err != nil {
		return res, fmt.Errorf("shutting down: %w", err)
	}
	return res, nil
}

// requestsAfterEdit times what an editor asks once an edit's diagnostics
// are shown: the code actions at the cursor (the end of the edit's first
// line, with the diagnostics published from the edit on) and the file's
// code lenses. Both must be answered without an error.
func requestsAfterEdit(ctx context.Context, c *conn, uri, text string, editStart int, p publication, res *sessionResult) error {
	line := editStart + strings.Index(text[editStart:], "\n// bench edit") + 1
	line += strings.IndexByte(text[line:], '\n') + 1 // the declaration after the comment, if any
	eol := line + strings.IndexByte(text[line:], '\n')
	if eol < line {
		eol = len(text)
	}
	cursor := position(text, eol)
	startLine := position(text, editStart)["line"].(int)
	diags := []json.RawMessage{}
	for i, d := range p.Diagnostics {
		if d.Range.Start.Line >= startLine {
			diags = append(diags, p.Raw[i])
		}
	}
	t0 := time.Now()
	var actions json.RawMessage
	if err := c.call(ctx, "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        map[string]any{"start": cursor, "end": cursor},
		"context":      map[string]any{"diagnostics": diags, "triggerKind": 2},
	}, &actions); err != nil {
		return err
	}
	res.CodeActions = append(res.CodeActions, time.Since(t0))
	t0 = time.Now()
	var lenses json.RawMessage
	if err := c.call(ctx, "textDocument/codeLens", map[string]any{
		"textDocument": map[string]any{"uri": uri},
	}, &lenses); err != nil {
		return err
	}
	res.CodeLenses = append(res.CodeLenses, time.Since(t0))
	return nil
}

// launch starts the target's server in workspace with its cache in
// cacheDir.
func launch(tg target, workspace, cacheDir string) (*conn, error) {
	var env []string
	if tg.CacheEnv != "" {
		env = append(env, tg.CacheEnv+"="+cacheDir)
	}
	settings := map[string]any{}
	if tg.Section != "" && tg.InitOptions != nil {
		settings[tg.Section] = tg.InitOptions
	}
	return start(tg.Argv, workspace, env, settings)
}

// initialize starts the LSP session (UTF-16 positions) and reports whether
// the server takes incremental changes.
func initialize(ctx context.Context, c *conn, tg target, workspace string, opt options) (bool, error) {
	rootURI := fileURI(workspace)
	var init struct {
		Capabilities struct {
			TextDocumentSync any `json:"textDocumentSync"`
		} `json:"capabilities"`
	}
	initCtx, cancel := context.WithTimeout(ctx, opt.timeout)
	defer cancel()
	initParams := map[string]any{
		"processId":        os.Getpid(),
		"clientInfo":       map[string]any{"name": "lsplatency"},
		"rootUri":          rootURI,
		"workspaceFolders": []any{map[string]any{"uri": rootURI, "name": filepath.Base(workspace)}},
		"capabilities": map[string]any{
			"general": map[string]any{"positionEncodings": []string{"utf-16"}},
			"workspace": map[string]any{
				"configuration":    true,
				"workspaceFolders": true,
			},
			"textDocument": map[string]any{
				"synchronization":    map[string]any{"didSave": true},
				"publishDiagnostics": map[string]any{"versionSupport": true, "relatedInformation": true},
			},
			"window": map[string]any{"workDoneProgress": true},
		},
	}
	if tg.InitOptions != nil {
		initParams["initializationOptions"] = tg.InitOptions
	}
	if err := c.call(initCtx, "initialize", initParams, &init); err != nil {
		return false, err
	}
	if err := c.notify("initialized", map[string]any{}); err != nil {
		return false, err
	}
	return syncKind(init.Capabilities.TextDocumentSync) == 2, nil
}

// editBlock is the text appended to the file by edit tok: when appear, a
// declaration carrying the target's finding, named after tok; otherwise a
// comment alone, so that the file is new either way. ident is the name the
// finding's message mentions.
func editBlock(tg target, tok string, appear bool) (block, ident string) {
	block = "\n// bench edit " + tok + "\n"
	switch {
	case tg.TypeErrors:
		ident = "undefined" + tok
		if appear {
			block += fmt.Sprintf("var _ = %s\n", ident)
		}
	case tg.Finding == "vet":
		ident = "v" + tok
		if appear {
			block += fmt.Sprintf("func bench%s() {\n\t%s := 0\n\t%s = %s\n}\n", tok, ident, ident, ident)
		}
	default:
		ident = "Bench" + tok
		if appear {
			block += fmt.Sprintf("func (%s) %s() {}\n", tg.Recv, ident)
		}
	}
	return block, ident
}

func mentions(ds []diagnostic, ident string) bool {
	for _, d := range ds {
		if strings.Contains(d.Message, ident) {
			return true
		}
	}
	return false
}

// syncKind is the change kind of a textDocumentSync capability (a number
// or an object with change).
func syncKind(v any) int {
	switch s := v.(type) {
	case float64:
		return int(s)
	case map[string]any:
		if ch, ok := s["change"].(float64); ok {
			return int(ch)
		}
	}
	return 0
}

// position is the LSP position (UTF-16) of byte offset off in text.
func position(text string, off int) map[string]any {
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndex(text[:off], "\n") + 1
	col := len(utf16.Encode([]rune(text[start:off])))
	return map[string]any{"line": line, "character": col}
}

func fileURI(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
