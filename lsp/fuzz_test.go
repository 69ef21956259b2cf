package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
)

// FuzzReadMessages feeds the server's message reader three streams made
// from each input.
//
// The input's bytes as they are: the reader must never panic or hang,
// must answer with well-formed error responses and end only at the end of
// the input.
//
// A sequence of frames the input describes (framesOf). Each frame must get
// exactly what it deserves, in order: its message read, or exactly one
// error answer (with the request's id when the body has one), or, for a
// garbled header line before a good Content-Length, one answer and its
// message. After a header-level framing error (no usable Content-Length)
// or a body that is not JSON, the reader goes on from the next
// "Content-Length:": the frames before it (a frame without one, blank
// lines, garbage header lines) are skipped without an answer, and a
// stream that ends there ends with a *lostSyncError.
//
// The input as garbage before three valid frames: whatever the garbage
// (a header whose Content-Length is too large or too small included),
// the three messages are the last three read, and the stream then ends.
func FuzzReadMessages(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 58\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"))
	f.Add([]byte("Content-Length: 5\r\n\r\n[1,2]Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("garbage\nContent-Length: x\n\nContent-Length: 3\r\n\r\n{\"a"))
	f.Add([]byte("Content-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("\r\n\r\nContent-Type: a\r\n\r\n"))
	// Frame programs (see framesOf): every kind once, then each bad kind
	// between two requests.
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{0, 7, 0, 0, 8, 0, 0, 9, 0, 0, 10, 0})
	f.Add([]byte{0x80, 0x47, 0xc8, 0x20, 0x4a, 1, 3, '{', '}', 'x'})
	// Garbage before valid frames: Content-Length too small, too large,
	// negative, missing, a header without its blank line, a body cut off.
	f.Add([]byte("Content-Length: 5\r\n\r\n"))
	f.Add([]byte("Content-Length: 100000\r\n\r\n{"))
	f.Add([]byte("Content-Length: -3\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 12"))
	f.Add([]byte("Content-Length: 20\r\n\r\n\""))
	f.Add([]byte("X-Other: 1\r\n\r\n{\"jsonrpc\":\"2.0\"}"))
	f.Add([]byte("\x00\xff garbage\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		readArbitrary(t, data)
		readFrames(t, data)
		readAfterGarbage(t, data)
	})
}

// readArbitrary reads data as a stream.
func readArbitrary(t *testing.T, data []byte) {
	var out bytes.Buffer
	answered := 0
	s := newStream(fuzzConn{bytes.NewReader(data), &out}, func(error) { answered++ })
	for i := 0; ; i++ {
		if i > len(data)+1 {
			t.Fatalf("more messages than bytes")
		}
		msg, _, err := s.Read(context.Background())
		if err != nil {
			var lost *lostSyncError
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &lost) {
				t.Fatalf("Read ended with %v", err)
			}
			break
		}
		if msg == nil {
			t.Fatal("nil message without error")
		}
	}
	s.Close() // flushes the answers
	// Every error answer is a well-formed frame.
	for n, resp := range answers(t, &out, answered) {
		if resp.Err() == nil {
			t.Fatalf("answer %d is not an error response", n)
		}
	}
}

// answers decodes n responses from the stream's output, and checks that
// nothing else was written.
func answers(t *testing.T, out *bytes.Buffer, n int) []*jsonrpc2.Response {
	t.Helper()
	var got []*jsonrpc2.Response
	r := newFrameReader(out)
	for i := 0; i < n; i++ {
		body, bad, err := r.next()
		if err != nil || bad != nil {
			t.Fatalf("answer %d: %v %v", i, bad, err)
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err != nil {
			t.Fatalf("answer %d is not a message: %v: %s", i, err, body)
		}
		resp, ok := msg.(*jsonrpc2.Response)
		if !ok {
			t.Fatalf("answer %d is not a response: %s", i, body)
		}
		got = append(got, resp)
	}
	if _, _, err := r.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("more written than the %d answers: %v", n, err)
	}
	return got
}

// A frame kind of framesOf.
const (
	frameRequest        = iota // a request whose id is the frame's index
	frameBody                  // an arbitrary body from the input: its message, or one answer
	frameBadJSON               // a body that is not JSON: one parse error
	frameWrongVersion          // "jsonrpc": "1.0" with the frame's id: one answer with that id
	frameNotObject             // a JSON array: one answer
	frameNoLength              // headers without Content-Length, no body: one answer
	frameBadLength             // Content-Length not a number, no body: one answer
	frameOversized             // Content-Length over the limit, no body: one answer
	frameGarbledHeader         // a header line without a colon, then a request: one answer, the request
	frameGarbledBadBody        // a header line without a colon, then bad JSON: one answer
	frameLongHeader            // a header line over the limit, then a request: one answer, the request
	frameLongBadBody           // a header line over the limit, then bad JSON: one answer
	frameBlank                 // blank lines between frames: nothing
	frameKinds
)

// wireFrame is one frame of a program and what the reader must make of it.
type wireFrame struct {
	kind int
	wire []byte
	// id is the request's id (frameRequest, frameWrongVersion and the
	// header kinds' request), -1 when none.
	id int64
	// body is a frameBody's body.
	body []byte
}

// framesOf reads a program of frames from data: a byte per frame whose
// low bits choose the kind and whose high bits the line endings (0x80: a
// bare LF), the case of the header's name (0x40) and an extra
// Content-Type header (0x20); frameBody takes a length byte and that many
// bytes of body.
func framesOf(data []byte) []wireFrame {
	var out []wireFrame
	for i := 0; i < len(data); {
		b := data[i]
		i++
		eol := "\r\n"
		if b&0x80 != 0 {
			eol = "\n"
		}
		name := "Content-Length"
		if b&0x40 != 0 {
			name = "content-length"
		}
		extra := ""
		if b&0x20 != 0 {
			extra = "Content-Type: application/vscode-jsonrpc; charset=utf-8" + eol
		}
		n := len(out)
		fr := wireFrame{kind: int(b&0x1f) % frameKinds, id: -1}
		wire := func(headers string, body []byte) []byte {
			h := headers + extra
			if body != nil {
				h += fmt.Sprintf("%s: %d%s", name, len(body), eol)
			}
			return append([]byte(h+eol), body...)
		}
		request := func() []byte {
			fr.id = int64(n)
			return []byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"m%d","params":{"s":"ñ😀"}}`, n, n))
		}
		badJSON := []byte(`{"jsonrpc":"2.0","id":` + fmt.Sprint(n))
		long := strings.Repeat("x", maxHeaderLine+1) + eol
		switch fr.kind {
		case frameRequest:
			fr.wire = wire("", request())
		case frameBody:
			size := 0
			if i < len(data) {
				size = int(data[i]) % 64
				i++
			}
			size = min(size, len(data)-i)
			// A header inside a body makes it a framing error (the
			// garbage property covers it): break "Content-Length:".
			body := append([]byte{}, data[i:i+size]...)
			for j := indexFold(body, headerName); j >= 0; j = indexFold(body, headerName) {
				body[j+len(headerName)-1] = ';'
			}
			fr.wire, fr.body = wire("", body), body
			i += size
		case frameBadJSON:
			fr.wire = wire("", badJSON)
		case frameWrongVersion:
			fr.id = int64(n)
			fr.wire = wire("", []byte(fmt.Sprintf(`{"jsonrpc":"1.0","id":%d,"method":"m"}`, n)))
		case frameNotObject:
			fr.wire = wire("", []byte(`[1,2]`))
		case frameNoLength:
			fr.wire = wire("X-Other: 1"+eol, nil)
		case frameBadLength:
			fr.wire = wire(name+": lots"+eol, nil)
		case frameOversized:
			fr.wire = wire(fmt.Sprintf("%s: %d%s", name, maxMessage+1, eol), nil)
		case frameGarbledHeader:
			fr.wire = wire("garbage"+eol, request())
		case frameGarbledBadBody:
			fr.wire = wire("garbage"+eol, badJSON)
		case frameLongHeader:
			fr.wire = wire(long, request())
		case frameLongBadBody:
			fr.wire = wire(long, badJSON)
		case frameBlank:
			fr.wire = []byte(eol + eol)
		}
		out = append(out, fr)
	}
	return out
}

// readFrames reads the frames data describes and checks what came of
// each.
func readFrames(t *testing.T, data []byte) {
	frames := framesOf(data)
	var in bytes.Buffer
	for _, fr := range frames {
		in.Write(fr.wire)
	}
	// The events in the order they happened: "answer" for an error
	// answer, the message otherwise.
	var events []any
	var out bytes.Buffer
	s := newStream(fuzzConn{bytes.NewReader(in.Bytes()), &out}, func(error) { events = append(events, "answer") })
	var end error
	for {
		msg, _, err := s.Read(context.Background())
		if err != nil {
			end = err
			break
		}
		events = append(events, msg)
	}
	s.Close()
	nAnswers := 0
	for _, ev := range events {
		if ev == "answer" {
			nAnswers++
		}
	}
	resps := answers(t, &out, nAnswers)

	kinds := []string{"request", "body", "bad JSON", "wrong version", "not an object", "no length", "bad length", "oversized",
		"garbled header", "garbled header and bad JSON", "long header", "long header and bad JSON", "blank"}
	ev, ans := 0, 0
	fail := func(i int, format string, args ...any) {
		t.Helper()
		var b strings.Builder
		for j, fr := range frames {
			fmt.Fprintf(&b, "\n  %d %s %q", j, kinds[fr.kind], clip(string(fr.wire)))
		}
		t.Fatalf("frame %d (%s): %s; frames:%s", i, kinds[frames[i].kind], fmt.Sprintf(format, args...), b.String())
	}
	// answer takes the next event, which must be an error answer, with
	// the frame's id or null.
	answer := func(i int, id int64, code jsonrpc2.Code) {
		t.Helper()
		if ev >= len(events) || events[ev] != "answer" {
			fail(i, "no answer where one was due (event %d of %d)", ev, len(events))
		}
		r := resps[ans]
		want := jsonrpc2.ID{}
		if id >= 0 {
			want = jsonrpc2.NewNumberID(id)
		}
		var rpcErr *jsonrpc2.Error
		if r.ID() != want || !errors.As(r.Err(), &rpcErr) || rpcErr.Code != code {
			fail(i, "answered id %v error %v, want id %v code %d", r.ID(), r.Err(), want, code)
		}
		ev++
		ans++
	}
	// request takes the next event, which must be the frame's request.
	request := func(i int, id int64) {
		t.Helper()
		if ev >= len(events) {
			fail(i, "its request was not read")
		}
		call, ok := events[ev].(*jsonrpc2.Call)
		if !ok || call.ID() != jsonrpc2.NewNumberID(id) || call.Method() != fmt.Sprintf("m%d", id) {
			fail(i, "read %v where request %d was due", events[ev], id)
		}
		ev++
	}
	// syncing: the reader is looking for the next Content-Length.
	syncing := false
	for i, fr := range frames {
		if syncing {
			switch fr.kind {
			case frameNoLength, frameBlank:
				continue // skipped
			case frameGarbledHeader, frameLongHeader:
				syncing = false
				request(i, fr.id) // its garbage skipped unanswered
				continue
			case frameGarbledBadBody, frameLongBadBody:
				answer(i, -1, jsonrpc2.ParseError)
				continue
			}
			syncing = false
		}
		switch fr.kind {
		case frameRequest:
			request(i, fr.id)
		case frameBody:
			if ev >= len(events) {
				fail(i, "neither read nor answered")
			}
			if events[ev] == "answer" {
				ans++
				syncing = !json.Valid(fr.body)
			}
			ev++
		case frameBadJSON:
			answer(i, -1, jsonrpc2.ParseError)
			syncing = true
		case frameWrongVersion:
			answer(i, fr.id, jsonrpc2.InvalidRequest)
		case frameNotObject:
			answer(i, -1, jsonrpc2.InvalidRequest)
		case frameNoLength, frameBadLength, frameOversized:
			answer(i, -1, jsonrpc2.ParseError)
			syncing = true
		case frameGarbledHeader, frameLongHeader:
			answer(i, -1, jsonrpc2.ParseError)
			request(i, fr.id)
		case frameGarbledBadBody, frameLongBadBody:
			answer(i, -1, jsonrpc2.ParseError)
			syncing = true
		}
	}
	if ev != len(events) {
		t.Fatalf("%d events for %d frames; the extra ones: %v", len(events), len(frames), events[ev:])
	}
	var lost *lostSyncError
	if syncing && !errors.As(end, &lost) || !syncing && !errors.Is(end, io.EOF) {
		t.Fatalf("the stream ended with %v (looking for a header: %v)", end, syncing)
	}
}

// garbageTail is what readAfterGarbage sends after the garbage: the
// start of a session.
var garbageTail = []string{
	`{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"capabilities":{}}}`,
	`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
	`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///m/manifest.json","languageId":"json","version":1,"text":"{\"name\": \"x\"}\r\n"}}}`,
}

// readAfterGarbage reads garbage followed by valid frames: the valid
// messages are the last ones read, then the stream ends.
func readAfterGarbage(t *testing.T, garbage []byte) {
	in := append([]byte(nil), garbage...)
	for _, body := range garbageTail {
		in = append(in, frame(body)...)
	}
	var out bytes.Buffer
	s := newStream(fuzzConn{bytes.NewReader(in), &out}, nil)
	defer s.Close()
	var got []jsonrpc2.Message
	for {
		msg, _, err := s.Read(context.Background())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("after %q and a valid session, Read ended with %v", garbage, err)
			}
			break
		}
		got = append(got, msg)
	}
	if len(got) < len(garbageTail) {
		t.Fatalf("after %q, %d messages read, want the session's %d", garbage, len(got), len(garbageTail))
	}
	for i, body := range garbageTail {
		want, _ := jsonrpc2.DecodeMessage([]byte(body))
		m := got[len(got)-len(garbageTail)+i]
		wb, _ := json.Marshal(want)
		gb, _ := json.Marshal(m)
		if !bytes.Equal(wb, gb) {
			t.Fatalf("after %q, message %d is %s, want %s", garbage, i, gb, wb)
		}
	}
}

// FuzzPositions checks the conversions between byte offsets and LSP
// positions on arbitrary text (invalid UTF-8 included): they never panic,
// positions round-trip for every character boundary, and UTF-16 columns
// agree with a count by utf16 code units.
func FuzzPositions(f *testing.F) {
	f.Add([]byte("hello\nworld"), uint32(1), uint32(3))
	f.Add([]byte("a\r\nñ😀b\rc"), uint32(1), uint32(2))
	f.Add([]byte("😀😀\n\n"), uint32(0), uint32(1))
	f.Add([]byte("\xff\xfe\x80a\n\xf0\x9f"), uint32(1), uint32(9))
	f.Fuzz(func(t *testing.T, text []byte, line, char uint32) {
		m := newMapper(text)
		for _, enc := range []encoding{utf16, utf8Enc} {
			off := m.offset(line, char, enc)
			if off < 0 || off > len(text) {
				t.Fatalf("offset %d out of [0,%d]", off, len(text))
			}
			// An offset from a position maps back to a position at or
			// before the one asked for, on the same line if that exists.
			l, c := m.position(off, enc)
			if int(line) < len(m.lines) && (l != line || c > char) {
				t.Fatalf("%s: position %d:%d → offset %d → %d:%d", enc, line, char, off, l, c)
			}
			if m.offset(l, c, enc) != off {
				t.Fatalf("%s: offset %d → %d:%d → %d", enc, off, l, c, m.offset(l, c, enc))
			}
		}
		// Every character boundary outside a line ending round-trips.
		for off := 0; off <= len(text); {
			for _, enc := range []encoding{utf16, utf8Enc} {
				l, c := m.position(off, enc)
				if back := m.offset(l, c, enc); back != off && !inLineEnding(text, off) {
					t.Fatalf("%s: offset %d → %d:%d → %d in %q", enc, off, l, c, back, text)
				}
			}
			if off == len(text) {
				break
			}
			_, size := utf8.DecodeRune(text[off:])
			off += size
		}
		// UTF-16 columns count code units of the line's text.
		if utf8.Valid(text) && !bytes.ContainsRune(text, '\r') {
			lines := strings.Split(string(text), "\n")
			for i, ln := range lines {
				_, c := m.position(m.lines[i]+len(ln), utf16)
				units := 0
				for _, r := range ln {
					units++
					if r >= 0x10000 {
						units++
					}
				}
				if int(c) != units {
					t.Fatalf("line %d %q: end column %d, want %d", i, ln, c, units)
				}
			}
		}
		// On valid UTF-8, the server's mapper and the fake editor's own
		// conversion (clientpos_test.go) agree at every character.
		if utf8.Valid(text) {
			for off := 0; off <= len(text); off++ {
				if off < len(text) && !utf8.RuneStart(text[off]) || inLineEnding(text, off) {
					continue
				}
				for _, enc := range []encoding{utf16, utf8Enc} {
					cp, err := clientPosition(string(text), off, enc)
					if err != nil {
						continue // in a line ending
					}
					if l, c := m.position(off, enc); l != cp.Line || c != cp.Character {
						t.Fatalf("%s: offset %d of %q: mapper %d:%d, editor %d:%d", enc, off, text, l, c, cp.Line, cp.Character)
					}
					if back, err := clientOffset(string(text), cp, enc); err != nil || back != off || m.offset(cp.Line, cp.Character, enc) != off {
						t.Fatalf("%s: %d:%d of %q: editor offset %d (%v), mapper %d, want %d", enc, cp.Line, cp.Character, text, back, err, m.offset(cp.Line, cp.Character, enc), off)
					}
				}
			}
		}
		// Applying a range edit through positions equals a byte splice.
		if len(text) > 0 {
			a, b := int(line)%(len(text)+1), int(char)%(len(text)+1)
			a, b = min(a, b), max(a, b)
			for _, enc := range []encoding{utf16, utf8Enc} {
				if inLineEnding(text, a) || inLineEnding(text, b) || !boundary(text, a) || !boundary(text, b) {
					continue
				}
				r := offsetRange(m, a, b, enc)
				got, err := replaceRange(text, r, "X", enc)
				if err != nil {
					t.Fatal(err)
				}
				want := append(append(append([]byte(nil), text[:a]...), 'X'), text[b:]...)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: replacing [%d,%d) of %q gave %q", enc, a, b, text, got)
				}
			}
		}
	})
}

// boundary tells whether off starts a character as the mapper decodes.
func boundary(text []byte, off int) bool {
	for p := 0; p < len(text); {
		if p == off {
			return true
		}
		if p > off {
			return false
		}
		_, size := utf8.DecodeRune(text[p:])
		p += size
	}
	return off == len(text)
}

// inLineEnding tells whether off is between the "\r" and "\n" of a CRLF.
func inLineEnding(text []byte, off int) bool {
	return off > 0 && off < len(text) && text[off-1] == '\r' && text[off] == '\n'
}

type fuzzConn struct {
	io.Reader
	io.Writer
}

func (fuzzConn) Close() error { return nil }
