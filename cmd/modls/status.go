package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// statusLine is one line saying what a long command is doing, written to
// standard error only when that is a terminal and overwritten in place
// (carriage return, erase to the end of the line). Anything else the
// command writes to the terminal goes through Above, so that the status
// never shares a line with it. Not a terminal (a pipe, a file, a test's
// buffer): nothing at all is written.
type statusLine struct {
	mu   sync.Mutex
	w    io.Writer // nil when standard error is not a terminal
	fd   int
	text string // what the line shows now; "" when it is clear
}

// newStatusLine draws on w if w is a terminal (and TERM is not "dumb").
func newStatusLine(w io.Writer) *statusLine {
	s := &statusLine{}
	f, ok := w.(*os.File)
	if ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb" {
		s.w, s.fd = f, int(f.Fd())
	}
	return s
}

// Set shows text in place of what the line showed; "" clears it.
func (s *statusLine) Set(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil || text == s.text {
		return
	}
	// A line longer than the terminal wraps, and the carriage return
	// would then overwrite only its last row.
	if width, _, err := term.GetSize(s.fd); err == nil && width > 1 {
		if r := []rune(text); len(r) >= width {
			text = string(r[:width-2]) + "…"
		}
	}
	fmt.Fprint(s.w, "\r\x1b[K"+text)
	s.text = text
}

// Clear erases the line.
func (s *statusLine) Clear() { s.Set("") }

// Above runs print, which writes whole lines to the terminal, with the
// status line erased, and draws the status again below what it wrote.
func (s *statusLine) Above(print func()) {
	s.mu.Lock()
	text := s.text
	s.mu.Unlock()
	if text == "" {
		print()
		return
	}
	s.Clear()
	print()
	s.Set(text)
}

// checkProgress is the progress of a check on a terminal: "checking 37 of
// 120 packages" while packages are checked (those the cache answers count
// as checked at once), erased when the last is done.
func checkProgress(stderr io.Writer) func(done, total int) {
	s := newStatusLine(stderr)
	return func(done, total int) {
		if done >= total {
			s.Clear()
			return
		}
		s.Set(fmt.Sprintf("checking %d of %d packages", done, total))
	}
}
