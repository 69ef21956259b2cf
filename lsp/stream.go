package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// maxMessage bounds a message body: a larger Content-Length is answered
// with an error and the reader resynchronises on the next header.
const maxMessage = 64 << 20

// maxHeaderLine bounds one header line, so that a peer sending no newline
// cannot make the server buffer without end.
const maxHeaderLine = 4 << 10

// maxSkip bounds what the reader skips looking for a header after a
// framing error: past it the stream is taken for lost.
const maxSkip = maxMessage

// A frameError is a message the reader could not use: the header was
// malformed, or the body was not a JSON-RPC message. The stream answers it
// with a JSON-RPC error and reads on; the connection stays up.
type frameError struct {
	id  jsonrpc2.ID // the request's id when the body had a usable one
	err *jsonrpc2.Error
}

func (e *frameError) Error() string { return e.err.Error() }

// A lostSyncError ends a stream: after a framing error, the reader found
// no Content-Length header to go on from.
type lostSyncError struct {
	after string // the framing error
	err   error  // io.EOF, or errTooMuchGarbage
}

var errTooMuchGarbage = fmt.Errorf("no Content-Length header in the next %d MiB", maxSkip>>20)

func (e *lostSyncError) Error() string {
	if errors.Is(e.err, io.EOF) {
		return fmt.Sprintf("the input ended before a Content-Length header came after a framing error (%s)", e.after)
	}
	return fmt.Sprintf("%v after a framing error (%s)", e.err, e.after)
}

func (e *lostSyncError) Unwrap() error { return e.err }

// headerName is the header the reader resynchronises on, in lower case.
const headerName = "content-length:"

// frameReader reads LSP base-protocol frames: header lines ending in CRLF
// (a bare LF is accepted), a blank line, then Content-Length bytes of body.
//
// A header-level framing error (no Content-Length, one that is not a
// number, negative or over maxMessage, one that does not match the body)
// is reported once; the reader then skips to the next "Content-Length:"
// wherever it is (a body has no line ending of its own, so the next header
// follows the end of whatever the broken frame left unread) and goes on
// from there. A body that is not JSON is taken for such an error too (a
// Content-Length too small, or garbage): the search starts at the body's
// first byte, so that a header inside it is found. A JSON body can never
// hold a header line (a string cannot hold a line ending): a body holding
// one is a Content-Length too large, which is reported when the header
// arrives rather than when the client has sent the rest of the length,
// which it may never do.
type frameReader struct {
	src *pushback
	in  *bufio.Reader
	// resync says the next frame starts at the next "Content-Length:";
	// lastError is the framing error that asked for it.
	resync    bool
	lastError string
}

func newFrameReader(r io.Reader) *frameReader {
	src := &pushback{r: r}
	return &frameReader{src: src, in: bufio.NewReaderSize(src, 64<<10)}
}

// pushback is a reader that gives back bytes before reading on.
type pushback struct {
	pending []byte
	r       io.Reader
}

func (p *pushback) Read(b []byte) (int, error) {
	if len(p.pending) > 0 {
		n := copy(b, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// unread gives data back: it is read again before what was buffered.
func (r *frameReader) unread(data []byte) {
	buffered, _ := r.in.Peek(r.in.Buffered())
	pending := make([]byte, 0, len(data)+len(buffered)+len(r.src.pending))
	pending = append(append(append(pending, data...), buffered...), r.src.pending...)
	r.src.pending = pending
	r.in.Reset(r.src)
}

// lose records a framing error after which the reader resynchronises.
func (r *frameReader) lose(fe *frameError) *frameError {
	r.resync, r.lastError = true, fe.err.Message
	return fe
}

// next returns the next frame's body. A *frameError means the frame was
// unusable but the reader knows where to go on; any other error ends the
// stream. A body may come with a *frameError too: garbage or overlong
// header lines before a good Content-Length are reported and the frame is
// still read.
func (r *frameReader) next() ([]byte, *frameError, error) {
	if r.resync {
		if err := r.seekHeader(); err != nil {
			return nil, nil, &lostSyncError{after: r.lastError, err: err}
		}
		r.resync = false
	}
	length := -1
	sawHeader := false
	var bad, lengthErr *frameError
	for {
		line, err := r.readLine()
		if errors.Is(err, errLongLine) {
			// Garbage, or a header run into it: go on from the next
			// Content-Length, past this line's first byte.
			bad, sawHeader = parseError("header line longer than %d bytes", maxHeaderLine), true
			_, _ = r.in.Discard(1)
			if err := r.seekHeader(); err != nil {
				return nil, nil, &lostSyncError{after: bad.err.Message, err: err}
			}
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && !sawHeader {
				return nil, nil, io.EOF
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, io.ErrUnexpectedEOF
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
		if i := lastIndexFold(line, headerName); i > 0 {
			// Garbage before a header, on its line.
			bad = parseError("garbage before a header: %q", clip(line[:i]))
			line = line[i:]
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(strings.TrimSpace(name)) {
			bad = parseError("malformed header line %q", clip(line))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			v := strings.TrimSpace(value)
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err != nil && !isDigits(v), n < 0:
				lengthErr = parseError("bad Content-Length %q", clip(v))
			case err != nil || n > maxMessage:
				lengthErr = parseError("Content-Length %s exceeds the limit of %d bytes", clip(v), maxMessage)
			default:
				length, lengthErr = int(n), nil
			}
		}
	}
	if length < 0 {
		switch {
		case lengthErr != nil:
			return nil, r.lose(lengthErr), nil
		case bad != nil:
			return nil, r.lose(bad), nil
		}
		return nil, r.lose(parseError("message has no Content-Length header")), nil
	}
	body, fe, err := r.readBody(length)
	if err != nil {
		return nil, nil, err
	}
	if fe != nil {
		return nil, r.lose(fe), nil
	}
	return body, bad, nil
}

// readBody reads a body of n bytes, as it arrives, watching for a header
// line inside it.
func (r *frameReader) readBody(n int) ([]byte, *frameError, error) {
	body := make([]byte, 0, min(n, 64<<10))
	scanned := 0 // no header starts before it
	for len(body) < n {
		if _, err := r.in.Peek(1); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil, io.ErrUnexpectedEOF
			}
			return nil, nil, err
		}
		chunk, _ := r.in.Peek(min(r.in.Buffered(), n-len(body)))
		body = append(body, chunk...)
		_, _ = r.in.Discard(len(chunk))
		var at int
		at, scanned = headerLineIn(body, scanned)
		if at >= 0 {
			r.unread(body[at:])
			return nil, parseError("Content-Length %d is more than the message: a header follows its %d bytes", n, at), nil
		}
	}
	return body, nil, nil
}

// headerLineIn looks for a complete "Content-Length: <digits>" line in
// data from offset from. It returns the header's offset, or -1 and the
// offset from which to look again once more data has come.
func headerLineIn(data []byte, from int) (at, again int) {
	for i := from; i+len(headerName) <= len(data); i++ {
		if data[i]|0x20 != 'c' || !bytes.EqualFold(data[i:i+len(headerName)], []byte(headerName)) {
			continue
		}
		j := i + len(headerName)
		for j < len(data) && (data[j] == ' ' || data[j] == '\t') {
			j++
		}
		digits := j
		for j < len(data) && data[j] >= '0' && data[j] <= '9' {
			j++
		}
		if j == len(data) {
			return -1, i // undecided until more comes
		}
		if j > digits && (data[j] == '\n' || data[j] == '\r') {
			return i, 0
		}
	}
	return -1, max(from, len(data)-len(headerName)+1)
}

// seekHeader skips to the next "Content-Length:", in any case, wherever
// it is.
func (r *frameReader) seekHeader() error {
	skipped := 0
	for {
		buf, err := r.in.Peek(max(r.in.Buffered(), len(headerName)))
		if i := indexFold(buf, headerName); i >= 0 {
			_, _ = r.in.Discard(i)
			return nil
		}
		if err != nil {
			_, _ = r.in.Discard(len(buf))
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return err
		}
		drop := len(buf) - (len(headerName) - 1)
		_, _ = r.in.Discard(drop)
		if skipped += drop; skipped > maxSkip {
			return errTooMuchGarbage
		}
	}
}

var errLongLine = errors.New("header line too long")

// readLine reads one header line without its line ending. A line longer
// than maxHeaderLine is left unread (errLongLine).
func (r *frameReader) readLine() (string, error) {
	n, seen := 1, 0
	for {
		buf, err := r.in.Peek(n)
		if i := bytes.IndexByte(buf[seen:], '\n'); i >= 0 {
			line := string(buf[:seen+i])
			_, _ = r.in.Discard(seen + i + 1)
			return strings.TrimSuffix(line, "\r"), nil
		}
		seen = len(buf)
		if len(buf) > maxHeaderLine {
			return "", errLongLine
		}
		if err != nil {
			_, _ = r.in.Discard(len(buf))
			if errors.Is(err, io.EOF) && len(buf) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		// What is buffered, else one more byte: Peek waits for all of n.
		n = len(buf) + 1
		if b := r.in.Buffered(); b > len(buf) {
			n = b
		}
		n = min(n, maxHeaderLine+1)
	}
}

// indexFold is the index of the first ASCII-case-insensitive occurrence of
// lower (a lower-case string) in data, or -1.
func indexFold(data []byte, lower string) int {
	for i := 0; i+len(lower) <= len(data); i++ {
		if data[i]|0x20 == lower[0] && bytes.EqualFold(data[i:i+len(lower)], []byte(lower)) {
			return i
		}
	}
	return -1
}

// lastIndexFold is the index of the last ASCII-case-insensitive
// occurrence of lower in s, or -1.
func lastIndexFold(s, lower string) int {
	for i := len(s) - len(lower); i >= 0; i-- {
		if s[i]|0x20 == lower[0] && strings.EqualFold(s[i:i+len(lower)], lower) {
			return i
		}
	}
	return -1
}

// isToken tells whether s is a header field name (RFC 9110 token).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
// the server while the server answers it cannot deadlock the two. While
// the client does not read, a message that supersedes one still queued
// takes its place instead of queueing behind it (coalesceKey: a file's
// diagnostics, a progress report), and the queue is bounded (maxQueued):
// a client that leaves more than that unread is taken for gone.
type stream struct {
	r      *frameReader
	w      io.Writer
	closer io.Closer
	// onBad is told about every unusable frame, for the log; onReplace
	// about every queued message replaced by a newer one (n since the
	// client last read everything), onDrain when the client has read
	// everything again after n replacements.
	onBad     func(error)
	onReplace func(key string, n int)
	onDrain   func(n int)

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []*outFrame
	pending  map[string]*outFrame // queued messages by coalesceKey
	queued   int                  // bytes queued
	replaced int                  // since the queue was last empty
	werr     error
	closing  bool
	flushed  chan struct{}
	// ended is closed when the input ends (the client closed it, or it
	// failed) or the client stopped reading: the server must not wait
	// for its commands then. failure says why, when it is the client's
	// fault.
	ended   chan struct{}
	endOnce sync.Once
	failure error
}

// maxQueued bounds the bytes of messages waiting for the client to read
// them (one larger message is queued when nothing else is).
const maxQueued = 16 << 20

// progressBehind is how far behind (bytes queued) the client must be for
// a progress report to replace an unsent one.
const progressBehind = 256 << 10

const progressKey = "progress report of "

// outFrame is a queued frame; key is its coalesceKey.
type outFrame struct {
	data []byte
	key  string
}

func newStream(rwc io.ReadWriteCloser, onBad func(error)) *stream {
	s := &stream{r: newFrameReader(rwc), w: rwc, closer: rwc, onBad: onBad, pending: map[string]*outFrame{}, flushed: make(chan struct{}), ended: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	go s.writeLoop()
	return s
}

// end records that the stream ended, and why when it is a failure.
func (s *stream) end(failure error) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		s.failure = failure
		s.mu.Unlock()
		close(s.ended)
	})
}

// err is why the stream ended when the client is at fault: its input
// could not be read on, or it stopped reading.
func (s *stream) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failure
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
		f := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		if f.key != "" && s.pending[f.key] == f {
			delete(s.pending, f.key)
		}
		s.queued -= len(f.data)
		s.mu.Unlock()
		if _, err := s.w.Write(f.data); err != nil {
			s.mu.Lock()
			s.werr = err
			s.queue, s.pending, s.queued = nil, map[string]*outFrame{}, 0
			s.mu.Unlock()
			return
		}
		s.mu.Lock()
		replaced := 0
		if len(s.queue) == 0 {
			replaced, s.replaced = s.replaced, 0
		}
		s.mu.Unlock()
		if replaced > 0 && s.onDrain != nil {
			s.onDrain(replaced)
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
			var lost *lostSyncError
			switch {
			case errors.As(err, &lost):
				s.end(err)
			case errors.Is(err, io.ErrUnexpectedEOF):
				s.end(errors.New("the input ended inside a message"))
			default:
				s.end(nil)
			}
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
		if fe.err.Code == jsonrpc2.ParseError {
			// Not JSON: the Content-Length may be wrong, so the body is
			// searched for the next header too.
			s.r.unread(body)
			s.r.lose(fe)
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

// coalesceKey names what a message supersedes when it is queued: the
// diagnostics of a file replace the file's earlier ones, a progress
// report the earlier report of its token. "" for any other message. It
// reads the encoded message: the connection hands the stream messages of
// its own types.
func coalesceKey(body []byte) string {
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			URI   string          `json:"uri"`
			Token json.RawMessage `json:"token"`
			Value struct {
				Kind string `json:"kind"`
			} `json:"value"`
		} `json:"params"`
	}
	// Only notifications of the two methods are decoded: the method
	// comes before the params in what the connection encodes.
	head := body[:min(len(body), 96)]
	if !bytes.Contains(head, []byte(`"method":"textDocument/publishDiagnostics"`)) && !bytes.Contains(head, []byte(`"method":"$/progress"`)) {
		return ""
	}
	if json.Unmarshal(body, &m) != nil || m.ID != nil {
		return ""
	}
	switch {
	case m.Method == "textDocument/publishDiagnostics" && m.Params.URI != "":
		return "diagnostics of " + m.Params.URI
	case m.Method == "$/progress" && m.Params.Value.Kind == "report":
		return progressKey + string(m.Params.Token)
	}
	return ""
}

// errNotReading ends a stream whose client leaves too much unread.
var errNotReading = fmt.Errorf("the client left more than %d MiB of messages unread", maxQueued>>20)

// Write implements jsonrpc2.Stream: it queues one frame, or replaces the
// queued one it supersedes.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	body, err := jsonrpc2.EncodeMessage(msg)
	if err != nil {
		return 0, fmt.Errorf("encoding a message: %w", err)
	}
	frame := make([]byte, 0, len(body)+32)
	frame = fmt.Appendf(frame, "Content-Length: %d\r\n\r\n", len(body))
	frame = append(frame, body...)
	key := coalesceKey(body)
	s.mu.Lock()
	if s.werr != nil {
		err := s.werr
		s.mu.Unlock()
		return 0, err
	}
	if s.closing {
		s.mu.Unlock()
		return 0, io.ErrClosedPipe
	}
	if strings.HasPrefix(key, progressKey) && s.queued < progressBehind {
		// A client that keeps up gets every report of a run (one per
		// check of a sandbox run, say); only one that has fallen
		// behind gets just the newest.
		key = ""
	}
	if f := s.pending[key]; key != "" && f != nil {
		s.queued += len(frame) - len(f.data)
		f.data = frame
		s.replaced++
		n := s.replaced
		s.mu.Unlock()
		if s.onReplace != nil {
			s.onReplace(key, n)
		}
		return int64(len(frame)), nil
	}
	if s.queued > 0 && s.queued+len(frame) > maxQueued {
		s.werr = errNotReading
		s.queue, s.pending, s.queued = nil, map[string]*outFrame{}, 0
		s.mu.Unlock()
		s.end(errNotReading)
		return 0, errNotReading
	}
	f := &outFrame{data: frame, key: key}
	s.queue = append(s.queue, f)
	if key != "" {
		s.pending[key] = f
	}
	s.queued += len(frame)
	s.cond.Signal()
	s.mu.Unlock()
	// The writer, just readied, waits on this core for the caller to
	// block, and a caller publishing a check's findings goes on checking
	// for milliseconds: it runs now.
	runtime.Gosched()
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
