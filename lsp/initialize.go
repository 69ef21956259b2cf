package lsp

import (
	"context"
	"slices"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/modls/modls/workspace"
)

// clientCaps is what the server uses of the client's capabilities.
type clientCaps struct {
	enc encoding
	// pull: the client asks for diagnostics (textDocument/diagnostic), so
	// they are not pushed.
	pull           bool
	pullRefresh    bool // workspace/diagnostic/refresh
	lensRefresh    bool // workspace/codeLens/refresh
	watchDynamic   bool // didChangeWatchedFiles may be registered
	relativeGlobs  bool
	documentChange bool // WorkspaceEdit.documentChanges
	createFiles    bool // resourceOperations has "create"
	progress       bool // window/workDoneProgress/create
	versionSupport bool
	relatedInfo    bool
	prepareRename  bool // textDocument/prepareRename
	tags           []protocol.DiagnosticTag
}

func readCaps(c protocol.ClientCapabilities) clientCaps {
	caps := clientCaps{enc: utf16}
	if c.General != nil && slices.Contains(c.General.PositionEncodings, protocol.PositionEncodingKindUTF8) {
		caps.enc = utf8Enc
	}
	if td := c.TextDocument; td != nil {
		caps.pull = td.Diagnostic != nil
		caps.prepareRename = td.Rename != nil && isTrue(td.Rename.PrepareSupport)
		if pd := td.PublishDiagnostics; pd != nil {
			caps.versionSupport = isTrue(pd.VersionSupport)
			caps.relatedInfo = isTrue(pd.RelatedInformation)
			caps.tags = pd.TagSupport.ValueSet
		}
		if td.Diagnostic != nil {
			caps.relatedInfo = caps.relatedInfo || isTrue(td.Diagnostic.RelatedInformation)
			if len(caps.tags) == 0 {
				caps.tags = td.Diagnostic.TagSupport.ValueSet
			}
		}
	}
	if ws := c.Workspace; ws != nil {
		if ws.Diagnostics != nil {
			caps.pullRefresh = isTrue(ws.Diagnostics.RefreshSupport)
		}
		if ws.CodeLens != nil {
			caps.lensRefresh = isTrue(ws.CodeLens.RefreshSupport)
		}
		if w := ws.DidChangeWatchedFiles; w != nil {
			caps.watchDynamic = isTrue(w.DynamicRegistration)
			caps.relativeGlobs = isTrue(w.RelativePatternSupport)
		}
		if we := ws.WorkspaceEdit; we != nil {
			caps.documentChange = isTrue(we.DocumentChanges)
			caps.createFiles = caps.documentChange && slices.Contains(we.ResourceOperations, protocol.ResourceOperationKindCreate)
		}
	}
	if w := c.Window; w != nil {
		caps.progress = isTrue(w.WorkDoneProgress)
	}
	return caps
}

func isTrue(b *bool) bool { return b != nil && *b }

func ptr[T any](v T) *T { return &v }

func initialize(ctx context.Context, s *Server, p *protocol.InitializeParams) (any, error) {
	s.mu.Lock()
	if s.state != stateNew {
		s.mu.Unlock()
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize sent twice")
	}
	s.caps = readCaps(p.Capabilities)
	caps := s.caps
	settings, err := parseClientSettings(p.InitializationOptions)
	if err != nil {
		defer s.showMessage(protocol.MessageTypeError, "modls: %v", err)
	}
	s.clientSettings = settings
	s.sandbox = parseSandboxSettings(p.InitializationOptions)
	var folders []string
	if fs, ok := p.WorkspaceFolders.Get(); ok {
		for _, f := range fs {
			if path, err := pathOf(f.URI); err == nil {
				folders = append(folders, path)
			}
		}
	}
	if len(folders) == 0 && p.RootURI != nil {
		if path, err := pathOf(*p.RootURI); err == nil {
			folders = append(folders, path)
		}
	}
	if len(folders) == 0 {
		if rp, ok := p.RootPath.Get(); ok && rp != "" {
			folders = append(folders, rp)
		}
	}
	s.folders = folders
	s.state = stateInitialized
	s.mu.Unlock()
	// Load the folders' Go modules now, so that a file opened later is
	// answered from a warm session; a file opened at once is checked on
	// its own first, and the load waits for that (first.go).
	for _, f := range folders {
		if root, err := workspace.FindRoot(f); err == nil {
			s.sessionFor(root)
		}
	}

	kind := protocol.TextDocumentSyncKindIncremental
	enc := protocol.PositionEncodingKindUTF16
	if caps.enc == utf8Enc {
		enc = protocol.PositionEncodingKindUTF8
	}
	res := &protocol.InitializeResult{
		ServerInfo: protocol.ServerInfo{Name: "modls", Version: protocol.NewOptional(Version)},
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding: enc,
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: ptr(true),
				Change:    &kind,
				Save:      &protocol.SaveOptions{IncludeText: ptr(false)},
			},
			CodeActionProvider: &protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix, fixAllKind},
			},
			CodeLensProvider:        &protocol.CodeLensOptions{},
			HoverProvider:           protocol.Boolean(true),
			DefinitionProvider:      protocol.Boolean(true),
			ReferencesProvider:      protocol.Boolean(true),
			CompletionProvider:      &protocol.CompletionOptions{TriggerCharacters: completionTriggers},
			DocumentSymbolProvider:  protocol.Boolean(true),
			WorkspaceSymbolProvider: protocol.Boolean(true),
			RenameProvider:          renameProvider(caps),
			ExecuteCommandProvider:  protocol.ExecuteCommandOptions{Commands: commandNames()},
		},
	}
	if caps.pull {
		res.Capabilities.DiagnosticProvider = &protocol.DiagnosticOptions{
			Identifier:            ptr("modls"),
			InterFileDependencies: true,
			WorkspaceDiagnostics:  true,
		}
	}
	return res, nil
}

// renameProvider offers prepareRename to the clients that say they send it,
// as LSP asks.
func renameProvider(caps clientCaps) protocol.RenameProvider {
	if caps.prepareRename {
		return &protocol.RenameOptions{PrepareProvider: ptr(true)}
	}
	return protocol.Boolean(true)
}

// Version is reported to clients as the server's version.
var Version = "devel"

func initialized(ctx context.Context, s *Server, _ *protocol.InitializedParams) (any, error) {
	s.mu.Lock()
	caps := s.caps
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	if caps.watchDynamic {
		s.goBackground(func(ctx context.Context) { s.registerWatchers(ctx) })
	} else {
		s.startWatcher(folders)
	}
	return nil, nil
}

func shutdown(ctx context.Context, s *Server, _ jsonrpc2.RawMessage) (any, error) {
	s.mu.Lock()
	s.state = stateShutdown
	s.shutDown.Store(true)
	s.mu.Unlock()
	return nil, nil
}

func exit(ctx context.Context, s *Server, _ jsonrpc2.RawMessage) (any, error) {
	s.exitOnce.Do(func() { close(s.exited) })
	return nil, nil
}

func didChangeWorkspaceFolders(ctx context.Context, s *Server, p *protocol.DidChangeWorkspaceFoldersParams) (any, error) {
	for _, f := range p.Event.Added {
		if path, err := pathOf(f.URI); err == nil {
			s.mu.Lock()
			s.folders = append(s.folders, path)
			s.mu.Unlock()
			if root, err := workspace.FindRoot(path); err == nil {
				s.sessionFor(root)
			}
		}
	}
	return nil, nil
}
