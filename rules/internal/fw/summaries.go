package fw

import (
	"crypto/sha256"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// maxSummaries bounds how many files a Summaries remembers; past it, it
// starts again. A summary is a few names, not the file's syntax.
const maxSummaries = 8192

// Summaries remembers what a rule reads of Go files outside its pass (the
// module's other packages, its test files), by file name and content, so
// that a check after an edit parses only the files that changed. The files
// are read as the pass reads them: the checker's reader, which knows the
// editor's buffers, or the disk. It is safe for concurrent use.
type Summaries[T any] struct {
	summarise func(f *ast.File, err error) T

	mu     sync.Mutex
	byName map[string]summary[T]
}

type summary[T any] struct {
	sum [sha256.Size]byte
	val T
}

// NewSummaries returns a Summaries that summarises a file with fn. fn gets
// the file's syntax as far as it parses (never nil) and the parse error,
// if any; it must not keep the syntax, and it may be called concurrently.
func NewSummaries[T any](fn func(f *ast.File, err error) T) *Summaries[T] {
	return &Summaries[T]{summarise: fn, byName: map[string]summary[T]{}}
}

// Of returns the summary of the file name as the pass reads it now, or the
// error reading it.
func (s *Summaries[T]) Of(pass *analysis.Pass, name string) (T, error) {
	data, err := ReadFile(pass, name)
	if err != nil {
		var zero T
		return zero, err
	}
	sum := sha256.Sum256(data)
	s.mu.Lock()
	kept, ok := s.byName[name]
	s.mu.Unlock()
	if ok && kept.sum == sum {
		return kept.val, nil
	}
	f, perr := parser.ParseFile(token.NewFileSet(), name, data, parser.SkipObjectResolution)
	val := s.summarise(f, perr)
	s.mu.Lock()
	if len(s.byName) >= maxSummaries {
		clear(s.byName)
	}
	s.byName[name] = summary[T]{sum, val}
	s.mu.Unlock()
	return val, nil
}

// ReadFile reads a file of the application as the pass's driver sees it:
// through the pass's reader when it has one that reads the file (the
// checker's, with the editor's buffers), otherwise from the disk.
func ReadFile(pass *analysis.Pass, name string) ([]byte, error) {
	if pass.ReadFile != nil {
		if data, err := pass.ReadFile(name); err == nil {
			return data, nil
		}
	}
	return os.ReadFile(name)
}
