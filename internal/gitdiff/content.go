package gitdiff

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Tracker answers, for a process that sees files as they are being
// edited (saved or not), which lines of a file's current content are new
// or changed since a revision: the content is compared with the file as
// the revision has it (`git show`), and a file the revision does not have
// is new throughout. The revision is resolved again on each question, so
// a branch that moves is followed; answers are remembered per commit,
// file and content.
type Tracker struct {
	rev string

	mu   sync.Mutex
	tops map[string]string // directory → top of its working tree
	memo map[memoKey]lineSet
}

type memoKey struct {
	commit, file string
	sum          [sha256.Size]byte
}

// lineSet is a set of changed lines; all means every line.
type lineSet struct {
	all   bool
	lines map[int]bool
}

// maxMemo bounds what a Tracker remembers; past it, it starts over.
const maxMemo = 512

// NewTracker returns a Tracker of the changes since rev.
func NewTracker(rev string) *Tracker {
	return &Tracker{rev: rev, tops: map[string]string{}, memo: map[memoKey]lineSet{}}
}

// Rev is the revision the tracker compares with.
func (t *Tracker) Rev() string { return t.rev }

// Lines returns a function telling whether line (1-based) of content, the
// current text of file (an absolute path), is new or changed since the
// revision. An unknown revision, or a file outside a git working tree, is
// an error.
func (t *Tracker) Lines(ctx context.Context, file string, content []byte) (func(line int) bool, error) {
	if t.rev == "" || strings.HasPrefix(t.rev, "-") {
		return nil, errors.New("no revision")
	}
	dir := filepath.Dir(file)
	t.mu.Lock()
	top, ok := t.tops[dir]
	t.mu.Unlock()
	if !ok {
		out, err := git(ctx, dir, "rev-parse", "--show-toplevel")
		if err != nil {
			return nil, errors.New(dir + " is not in a git working tree")
		}
		top = sameSpelling(dir, strings.TrimSpace(string(out)))
		t.mu.Lock()
		t.tops[dir] = top
		t.mu.Unlock()
	}
	commit, err := git(ctx, top, "rev-parse", "--verify", "--quiet", "--end-of-options", t.rev+"^{commit}")
	if err != nil {
		return nil, errors.New("unknown revision \"" + t.rev + "\"")
	}
	rel, err := filepath.Rel(top, file)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, errors.New(file + " is not in the working tree " + top)
	}
	key := memoKey{strings.TrimSpace(string(commit)), file, sha256.Sum256(content)}
	t.mu.Lock()
	set, ok := t.memo[key]
	t.mu.Unlock()
	if !ok {
		if set, err = changedContent(ctx, top, key.commit, filepath.ToSlash(rel), content); err != nil {
			return nil, err
		}
		t.mu.Lock()
		if len(t.memo) >= maxMemo {
			t.memo = map[memoKey]lineSet{}
		}
		t.memo[key] = set
		t.mu.Unlock()
	}
	return func(line int) bool { return set.all || set.lines[line] }, nil
}

// changedContent compares content with path as commit has it.
func changedContent(ctx context.Context, top, commit, path string, content []byte) (lineSet, error) {
	old, err := git(ctx, top, "show", commit+":"+path)
	if err != nil {
		return lineSet{all: true}, nil // not in the revision: new
	}
	tmp, err := os.MkdirTemp("", "modls-gitdiff-")
	if err != nil {
		return lineSet{}, err
	}
	defer os.RemoveAll(tmp)
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	if err := os.WriteFile(a, old, 0o600); err != nil {
		return lineSet{}, err
	}
	if err := os.WriteFile(b, content, 0o600); err != nil {
		return lineSet{}, err
	}
	// --no-index exits 1 when the files differ.
	out, err := gitDiffNoIndex(ctx, tmp, a, b)
	if err != nil {
		return lineSet{}, err
	}
	set := lineSet{lines: map[int]bool{}}
	err = hunks(out, func(_ string, start, count int) {
		for l := start; l < start+count; l++ {
			set.lines[l] = true
		}
	})
	return set, err
}
