package fw

import (
	"go/token"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/modls/modls/workspace"
)

// maxFileSets bounds how many FileSets extraFiles remembers.
const maxFileSets = 64

// extraFiles remembers the non-Go files added to each pass's FileSet, so
// that every rule of a pass reports against one token.File per file.
var extraFiles struct {
	sync.Mutex
	byFset map[*token.FileSet]map[string]*token.File
}

// File returns a token.File in the pass's FileSet for a file that is not
// one of the package's Go files (manifest.json, a test file to create), so
// that diagnostics and fix edits can point into it. content is what the
// file holds (an editor's buffer, or nil for a file that does not exist
// yet: edits to an empty file that does not exist create it).
func File(pass *analysis.Pass, name string, content []byte) *token.File {
	extraFiles.Lock()
	defer extraFiles.Unlock()
	if extraFiles.byFset == nil {
		extraFiles.byFset = map[*token.FileSet]map[string]*token.File{}
	}
	files := extraFiles.byFset[pass.Fset]
	if files == nil {
		// A long-running process makes a FileSet per check: forget old
		// ones rather than keep every check's files alive. A pass still
		// running on a forgotten set only adds its file again.
		if len(extraFiles.byFset) >= maxFileSets {
			extraFiles.byFset = map[*token.FileSet]map[string]*token.File{}
		}
		files = map[string]*token.File{}
		extraFiles.byFset[pass.Fset] = files
	}
	if tf, ok := files[name]; ok {
		return tf
	}
	if len(content) == 0 {
		// An empty (or unread) file still has a first line, so that a
		// finding at its start is at 1:1, not 0:0.
		tf := pass.Fset.AddFile(name, -1, 1)
		files[name] = tf
		return tf
	}
	tf := pass.Fset.AddFile(name, -1, len(content))
	tf.SetLinesForContent(content)
	files[name] = tf
	return tf
}

// ManifestFile returns the token.File of the module's manifest.json, with
// the content the workspace model read (an editor buffer or the disk).
func ManifestFile(pass *analysis.Pass, m *workspace.Module) *token.File {
	return File(pass, m.ManifestPath, m.ManifestData)
}

// ManifestPos is the position of a byte offset of the module's manifest.
func ManifestPos(pass *analysis.Pass, m *workspace.Module, offset int) token.Pos {
	tf := ManifestFile(pass, m)
	if offset > len(m.ManifestData) {
		offset = len(m.ManifestData)
	}
	return tf.Pos(offset)
}

// NewFile returns a token.File for a file to create: an edit inserting at
// its start creates it with that text. If the file exists (on disk or as
// an editor's buffer), its content as the pass reads it is used instead,
// so the edit appends to nothing it does not know of.
func NewFile(pass *analysis.Pass, name string) (tf *token.File, exists bool) {
	data, err := ReadFile(pass, name)
	if err == nil {
		return File(pass, name, data), true
	}
	return File(pass, name, nil), false
}

// PositionOf returns a position in the pass's FileSet for a byte offset of
// a Go file that is not one of the package's (another package of the
// application, for related information), or NoPos when the file cannot be
// read.
func PositionOf(pass *analysis.Pass, name string, offset int) token.Pos {
	data, err := ReadFile(pass, name)
	if err != nil || offset > len(data) {
		return token.NoPos
	}
	for _, f := range pass.Files {
		if tf := pass.Fset.File(f.FileStart); tf != nil && tf.Name() == name && tf.Size() == len(data) {
			return tf.Pos(offset)
		}
	}
	return File(pass, name, data).Pos(offset)
}
