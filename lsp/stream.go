package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// maxMessage bounds a message body: a larger Content-Length is answered
// with an error and its body skipped.
const maxMessage = 64 << 20

// maxHeaderLine bounds one header line, so that a peer sending no newline
// cannot make the server buffer without end.
const maxHeaderLine = 4 << 10

// A frameError is a message the reader could not use: the header was
// malformed, or the body was not a JSON-RPC message. The stream answers it
// with a JSON-RPC error and reads on; the connection stays up.
type frameError struct {
	id  jsonrpc2.ID // the request's id when the body had a usable one
	err *jsonrpc2.Error
}

func (e *frameError) Error() string { return e.err.Error() }

// frameReader reads LSP base-protocol frames: header lines ending in CRLF
// (a bare LF is accepted), a blank line, then Content-Length bytes of body.
type frameReader struct {
	in *bufio.Reader
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{in: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next frame's body. A *frameError means the frame was
// unusable but the reader is positioned at the next frame; any other error
// ends the stream. A body may come with a *frameError too: garbage or
// overlong header lines before a good Content-Length are reported and the
// frame is still read.
func (r *frameReader) next() ([]byte, *frameError, error) {
	length := -1
	sawHeader := false
	var bad *frameError
	for {
		line, err := r.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && !sawHeader {
				return nil, nil, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return nil, nil, io.ErrUnexpectedEOF
			}
			if fe := (*frameError)(nil); errors.As(err, &fe) {
				// An overlong line, skipped: the header goes on.
				bad, sawHeader = fe, true
				continue
			}
			return nil, nil, err
		}
		if line == "" {
			if !sawHeader {
				continue // stray blank lines between frames
			}
			break
		}
		sawHeader = true
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = parseError("malformed header line %q", clip(line))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n < 0 {
				bad = parseError("bad Content-Length %q", clip(strings.TrimSpace(value)))
				continue
			}
			length = int(min(n, maxMessage+1))
		}
	}
	if length < 0 {
		if bad == nil {
			bad = parseError("message has no Content-Length header")
		}
		return nil, bad, nil
	}
	if length > maxMessage {
		// Reading that much would take the server down, and skipping it
		// would swallow the messages after it: answer, and look for the
		// next header from here.
		return nil, parseError("message of %d bytes exceeds the limit of %d", length, maxMessage), nil
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r.in, body); err != nil {
		return nil, nil, io.ErrUnexpectedEOF
	}
	return body, bad, nil
}

// readLine reads one header line without its line ending.
func (r *frameReader) readLine() (string, error) {
	var buf []byte
	for {
		chunk, err := r.in.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxHeaderLine {
			// Skip the rest of the overlong line, then report it.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.in.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return "", err
			}
			return "", parseError("header line longer than %d bytes", maxHeaderLine)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(buf) > 0 {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	return strings.TrimRight(string(buf), "\r\n"), nil
}

// decodeBody turns a frame's body into a message. Bodies that are not a
// single JSON-RPC 2.0 message give a *frameError carrying the request's id
// when one can be read, so that the error answers the right call.
func decodeBody(body []byte) (jsonrpc2.Message, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if !json.Valid(trimmed) {
			return nil, &frameError{err: jsonrpc2.NewError(jsonrpc2.ParseError, "message is not valid JSON")}
		}
		return nil, &frameError{err: jsonrpc2.NewError(jsonrpc2.InvalidRequest, "batch messages are not part of LSP")}
	}
	msg, err := jsonrpc2.DecodeMessage(body)
	if err == nil {
		return msg, nil
	}
	if !json.Valid(trimmed) {
		return nil, &frameError{err: jsonrpc2.NewError(jsonrpc2.ParseError, "message is not valid JSON")}
	}
	fe := &frameError{err: jsonrpc2.NewError(jsonrpc2.InvalidRequest, "not a JSON-RPC 2.0 request: "+describeInvalid(trimmed))}
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(trimmed, &probe) == nil && len(probe.ID) > 0 {
		var n int64
		var s string
		if json.Unmarshal(probe.ID, &n) == nil {
			fe.id = jsonrpc2.NewNumberID(n)
		} else if json.Unmarshal(probe.ID, &s) == nil {
			fe.id = jsonrpc2.NewStringID(s)
		}
	}
	return nil, fe
}

// describeInvalid says what is wrong with a JSON value that is not a
// JSON-RPC message.
func describeInvalid(body []byte) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return "not a JSON object"
	}
	var version string
	if json.Unmarshal(obj["jsonrpc"], &version) != nil || version != "2.0" {
		return `"jsonrpc" must be "2.0"`
	}
	if m, ok := obj["method"]; ok {
		var s string
		if json.Unmarshal(m, &s) != nil {
			return `"method" must be a string`
		}
		return `bad "id" or "params"`
	}
	return `no "method"`
}

func parseError(format string, args ...any) *frameError {
	return &frameError{err: jsonrpc2.Errorf(jsonrpc2.ParseError, format, args...)}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// stream is the server's jsonrpc2.Stream: LSP framing that survives bad
// input. A malformed frame is answered with a JSON-RPC error (id null
// unless the request's id could be read) and the next frame is read.
//
// Writes are queued and sent by a goroutine of their own, so that the
// read loop never waits for the client to read: a client busy writing to
// the server while the server answers it cannot deadlock the two.
type stream struct {
	r      *frameReader
	w      io.Writer
	closer io.Closer
	// onBad is told about every unusable frame, for the log.
	onBad func(error)

	mu      sync.Mutex
	cond    *sync.Cond
	queue   [][]byte
	werr    error
	closing bool
	flushed chan struct{}
	// ended is closed when the input ends (the client closed it, or it
	// failed): the server must not wait for its commands then.
	ended   chan struct{}
	endOnce sync.Once
}

func newStream(rwc io.ReadWriteCloser, onBad func(error)) *stream {
	s := &stream{r: newFrameReader(rwc), w: rwc, closer: rwc, onBad: onBad, flushed: make(chan struct{}), ended: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	go s.writeLoop()
	return s
}

// writeLoop sends queued frames in order until the stream is closed and
// the queue empty, or a write fails.
func (s *stream) writeLoop() {
	defer close(s.flushed)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closing {
			s.cond.Wait()
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		frame := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		if _, err := s.w.Write(frame); err != nil {
			s.mu.Lock()
			s.werr = err
			s.queue = nil
			s.mu.Unlock()
			return
		}
	}
}

// Read implements jsonrpc2.Stream.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		// A frame gets one answer at most, however many things are wrong
		// with it: a garbled header line is answered when the body is a
		// message (which is then read), else the body's problem is, as it
		// may name the request's id.
		body, bad, err := s.r.next()
		if err != nil {
			s.endOnce.Do(func() { close(s.ended) })
			return nil, 0, err
		}
		if body == nil {
			if bad != nil {
				if err := s.answer(ctx, bad); err != nil {
					return nil, 0, err
				}
			}
			continue
		}
		msg, err := decodeBody(body)
		if err == nil {
			if bad != nil {
				if err := s.answer(ctx, bad); err != nil {
					return nil, 0, err
				}
			}
			return msg, int64(len(body)), nil
		}
		var fe *frameError
		if !errors.As(err, &fe) {
			return nil, 0, err
		}
		if err := s.answer(ctx, fe); err != nil {
			return nil, 0, err
		}
	}
}

// answer reports an unusable frame to the peer and the log.
func (s *stream) answer(ctx context.Context, fe *frameError) error {
	if s.onBad != nil {
		s.onBad(fe)
	}
	_, err := s.Write(ctx, jsonrpc2.NewResponse(fe.id, nil, fe.err))
	return err
}

// Write implements jsonrpc2.Stream: it queues one frame.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	body, err := jsonrpc2.EncodeMessage(msg)
	if err != nil {
		return 0, fmt.Errorf("encoding a message: %w", err)
	}
	frame := make([]byte, 0, len(body)+32)
	frame = fmt.Appendf(frame, "Content-Length: %d\r\n\r\n", len(body))
	frame = append(frame, body...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.werr != nil {
		return 0, s.werr
	}
	if s.closing {
		return 0, io.ErrClosedPipe
	}
	s.queue = append(s.queue, frame)
	s.cond.Signal()
	return int64(len(frame)), nil
}

// Close implements jsonrpc2.Stream: it sends what is queued (for a
// moment at most, the client may have stopped reading), then closes.
func (s *stream) Close() error {
	s.mu.Lock()
	s.closing = true
	s.cond.Signal()
	s.mu.Unlock()
	select {
	case <-s.flushed:
	case <-time.After(2 * time.Second):
	}
	return s.closer.Close()
}

// codec marshals payloads with the protocol package's union-aware
// encoding, and passes raw messages through.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	return protocolMarshal(v)
}

func (codec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	return protocolUnmarshal(data, v)
}
