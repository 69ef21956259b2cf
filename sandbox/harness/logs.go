package harness

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// logCapture is the framework's log in the sandbox: every record goes to
// stderr, and the errors a handler logged are kept for the check's message.
type logCapture struct {
	mu      sync.Mutex
	records []string
	attrs   []slog.Attr
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range l.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	var cause string
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		if a.Key == "err" || a.Key == "panic" {
			cause = r.Message + ": " + a.Value.String()
		}
		return true
	})
	fmt.Fprintf(os.Stderr, "%s %s %s\n", r.Time.Format("15:04:05.000"), r.Level, b.String())
	if cause != "" {
		l.mu.Lock()
		l.records = append(l.records, cause)
		l.mu.Unlock()
	}
	return nil
}

func (l *logCapture) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logView{l: l, attrs: append(append([]slog.Attr(nil), l.attrs...), attrs...)}
}

func (l *logCapture) WithGroup(string) slog.Handler { return l }

func (l *logCapture) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.records)
}

func (l *logCapture) since(mark int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.records[mark:], "; ")
}

// logView is a logCapture with attributes of its own.
type logView struct {
	l     *logCapture
	attrs []slog.Attr
}

func (v *logView) Enabled(context.Context, slog.Level) bool { return true }

func (v *logView) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(v.attrs...)
	return v.l.Handle(ctx, r)
}

func (v *logView) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logView{l: v.l, attrs: append(append([]slog.Attr(nil), v.attrs...), attrs...)}
}

func (v *logView) WithGroup(string) slog.Handler { return v }
