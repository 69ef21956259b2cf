package lsp

import (
	"context"
	"fmt"

	"go.lsp.dev/protocol"
)

// progress reports a long-running command through $/progress, if the
// client gave a token or lets the server create one. Cancelling it from
// the editor (window/workDoneProgress/cancel) cancels the command.
type progress struct {
	s     *Server
	token protocol.ProgressToken // nil: the client shows no progress
	key   string
}

// beginProgress starts reporting; cancel is called when the user cancels.
func (s *Server) beginProgress(ctx context.Context, token protocol.ProgressToken, title string, cancel context.CancelFunc) *progress {
	s.mu.Lock()
	canCreate := s.caps.progress
	s.tokenSeq++
	seq := s.tokenSeq
	s.mu.Unlock()
	p := &progress{s: s}
	if token == nil && canCreate {
		t := protocol.String(fmt.Sprintf("modls-%d", seq))
		if err := s.callClient(ctx, "window/workDoneProgress/create", &protocol.WorkDoneProgressCreateParams{Token: t}, nil); err != nil {
			s.log.Printf("window/workDoneProgress/create: %v", err)
		} else {
			token = t
		}
	}
	if token == nil {
		return p
	}
	p.token, p.key = token, tokenKey(token)
	s.mu.Lock()
	s.progress[p.key] = cancel
	s.mu.Unlock()
	s.notify("$/progress", &protocol.ProgressParams{Token: token, Value: anyValue(&protocol.WorkDoneProgressBegin{
		Kind: "begin", Title: title, Cancellable: ptr(true),
	})})
	return p
}

func (p *progress) report(format string, args ...any) {
	if p.token == nil {
		return
	}
	p.s.notify("$/progress", &protocol.ProgressParams{Token: p.token, Value: anyValue(&protocol.WorkDoneProgressReport{
		Kind: "report", Message: ptr(fmt.Sprintf(format, args...)),
	})})
}

func (p *progress) end(message string) {
	if p.token == nil {
		return
	}
	p.s.mu.Lock()
	delete(p.s.progress, p.key)
	p.s.mu.Unlock()
	p.s.notify("$/progress", &protocol.ProgressParams{Token: p.token, Value: anyValue(&protocol.WorkDoneProgressEnd{
		Kind: "end", Message: ptr(message),
	})})
}

func workDoneProgressCancel(ctx context.Context, s *Server, p *protocol.WorkDoneProgressCancelParams) (any, error) {
	s.mu.Lock()
	cancel := s.progress[tokenKey(p.Token)]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil, nil
}
