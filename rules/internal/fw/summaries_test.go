package fw

import (
	"errors"
	"go/ast"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// TestSummaries checks that a file is summarised once per content, read as
// the pass reads it (a buffer before the disk), and that what cannot be
// read is an error, not a summary.
func TestSummaries(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.go")
	write := func(src string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var parsed atomic.Int32
	s := NewSummaries(func(f *ast.File, err error) []string {
		parsed.Add(1)
		var funcs []string
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				funcs = append(funcs, fd.Name.Name)
			}
		}
		if err != nil {
			funcs = append(funcs, "(error)")
		}
		return funcs
	})
	buffers := map[string]string{}
	pass := &analysis.Pass{ReadFile: func(n string) ([]byte, error) {
		if src, ok := buffers[n]; ok {
			return []byte(src), nil
		}
		return nil, fs.ErrNotExist // as go vet's reader, for a file not the package's
	}}
	of := func(want string, parses int32) {
		t.Helper()
		got, err := s.Of(pass, name)
		if err != nil {
			t.Fatalf("Of: %v", err)
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("Of = %q, want %q", g, want)
		}
		if n := parsed.Load(); n != parses {
			t.Errorf("parsed %d times, want %d", n, parses)
		}
	}

	write("package a\nfunc A() {}\n")
	of("A", 1)
	of("A", 1) // the same content: remembered
	write("package a\nfunc A() {}\nfunc B() {}\n")
	of("A B", 2) // the disk changed
	buffers[name] = "package a\nfunc C() {}\nvar x =\n"
	of("C (error)", 3) // the editor's buffer, as far as it parses
	of("C (error)", 3)
	delete(buffers, name)
	of("A B", 4) // back to the disk: a content seen before, but not the last one

	if _, err := s.Of(pass, filepath.Join(dir, "missing.go")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Of(missing file) error = %v, want one that is fs.ErrNotExist", err)
	}
	if _, err := s.Of(&analysis.Pass{}, name); err != nil { // a driver without a reader
		t.Errorf("Of without a pass reader: %v", err)
	}
	if n := parsed.Load(); n != 4 {
		t.Errorf("parsed %d times after the same content through the disk, want 4", n)
	}
}

// TestNewFileReadsBuffers checks that a file a fix creates or extends is
// taken as the pass reads it: an editor's unsaved buffer is extended, not
// created again over what it holds.
func TestNewFileReadsBuffers(t *testing.T) {
	dir := t.TempDir()
	buffered := filepath.Join(dir, "sell_test.go") // not on disk
	const text = "package shop\n\nimport \"testing\"\n"
	pass := &analysis.Pass{Fset: token.NewFileSet(), ReadFile: func(n string) ([]byte, error) {
		if n == buffered {
			return []byte(text), nil
		}
		return nil, fs.ErrNotExist
	}}
	tf, exists := NewFile(pass, buffered)
	if !exists || tf.Size() != len(text) {
		t.Errorf("NewFile(buffer) = size %d, exists %v; want the buffer's %d bytes, exists", tf.Size(), exists, len(text))
	}
	absent := filepath.Join(dir, "absent_test.go")
	if tf, exists := NewFile(pass, absent); exists || tf.Size() != 1 {
		t.Errorf("NewFile(absent file) = size %d, exists %v; want an empty file to create", tf.Size(), exists)
	}
	if pos := PositionOf(pass, buffered, len("package shop\n\n")); pass.Fset.Position(pos).Line != 3 {
		t.Errorf("PositionOf(buffer, the import's offset) is at %v, want line 3", pass.Fset.Position(pos))
	}
}
