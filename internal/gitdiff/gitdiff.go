// Package gitdiff tells which lines of a git working tree changed since a
// revision: the lines `git diff REV` adds or rewrites, and every line of
// the files git does not track yet (and does not ignore). `modls check
// --new-from-rev` reports only findings on those lines; it runs git as a
// process and knows nothing of findings or editors, so a long-running
// process can ask the same question.
package gitdiff

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Changes are the changed lines of a working tree.
type Changes struct {
	// Root is the top directory of the working tree.
	Root string
	// Rev is the revision, as given, and Commit the commit it names.
	Rev, Commit string
	lines       map[string]map[int]bool // absolute file → changed lines
	whole       map[string]bool         // untracked files: every line is new
}

// Changed reports whether line (1-based) of file (absolute, or relative to
// Root) is new or changed since the revision.
func (c *Changes) Changed(file string, line int) bool {
	if !filepath.IsAbs(file) {
		file = filepath.Join(c.Root, file)
	}
	file = filepath.Clean(file)
	if c.whole[file] {
		return true
	}
	return c.lines[file][line]
}

// Files lists the files with changed lines, and the untracked ones.
func (c *Changes) Files() []string {
	var out []string
	for f := range c.lines {
		out = append(out, f)
	}
	for f := range c.whole {
		out = append(out, f)
	}
	return out
}

// Since computes the lines of the working tree holding dir that changed
// since rev (staged or not). A rev that names no commit is an error.
func Since(ctx context.Context, dir, rev string) (*Changes, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("%q is not a revision", rev)
	}
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git working tree: %v", dir, err)
	}
	root := strings.TrimSpace(string(top))
	// git prints the top directory with symbolic links resolved; keep the
	// spelling of dir when it names the same place.
	if abs, err := filepath.Abs(dir); err == nil {
		root = sameSpelling(abs, root)
	}
	commit, err := git(ctx, root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("unknown revision %q", rev)
	}
	c := &Changes{Root: root, Rev: rev, Commit: strings.TrimSpace(string(commit)), lines: map[string]map[int]bool{}, whole: map[string]bool{}}
	out, err := git(ctx, root, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-renames", "--unified=0", c.Commit, "--")
	if err != nil {
		return nil, err
	}
	if err := c.parse(out); err != nil {
		return nil, err
	}
	untracked, err := git(ctx, root, "ls-files", "-z", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	for _, name := range bytes.Split(untracked, []byte{0}) {
		if len(name) > 0 {
			c.whole[filepath.Join(root, filepath.FromSlash(string(name)))] = true
		}
	}
	return c, nil
}

// parse reads a diff with no context lines: each hunk header's new range
// (+start,count) is a run of changed lines of the file of the last "+++"
// line. A hunk that only deletes (count 0) changes no line of the new file.
func (c *Changes) parse(diff []byte) error {
	return hunks(diff, func(name string, start, count int) {
		if name == "" {
			return
		}
		file := filepath.Join(c.Root, filepath.FromSlash(strings.TrimPrefix(name, "b/")))
		if c.lines[file] == nil {
			c.lines[file] = map[int]bool{}
		}
		for l := start; l < start+count; l++ {
			c.lines[file][l] = true
		}
	})
}

// hunks calls f with the new file's name (as the "+++" line gives it, ""
// for /dev/null) and new range of each hunk of a diff.
func hunks(diff []byte, f func(name string, start, count int)) error {
	var name string
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "+++ "):
			// A name with a space ends in a tab, for patch(1).
			name = strings.TrimSuffix(strings.TrimPrefix(line, "+++ "), "\t")
			if name == "/dev/null" {
				name = ""
			} else if strings.HasPrefix(name, `"`) {
				if u, err := strconv.Unquote(name); err == nil {
					name = u
				}
			}
		case strings.HasPrefix(line, "@@ "):
			start, count, err := newRange(line)
			if err != nil {
				return err
			}
			f(name, start, count)
		}
	}
	return sc.Err()
}

// newRange reads "@@ -a,b +c,d @@ ..." and returns c and d (d is 1 when
// left out).
func newRange(header string) (start, count int, err error) {
	f := strings.Fields(header)
	if len(f) < 3 || !strings.HasPrefix(f[2], "+") {
		return 0, 0, fmt.Errorf("git diff: bad hunk header %q", header)
	}
	r := strings.TrimPrefix(f[2], "+")
	count = 1
	if s, n, ok := strings.Cut(r, ","); ok {
		r = s
		if count, err = strconv.Atoi(n); err != nil {
			return 0, 0, fmt.Errorf("git diff: bad hunk header %q", header)
		}
	}
	if start, err = strconv.Atoi(r); err != nil {
		return 0, 0, fmt.Errorf("git diff: bad hunk header %q", header)
	}
	return start, count, nil
}

// sameSpelling returns the ancestor of abs (or abs itself) that is the
// same directory as top, or top when none is.
func sameSpelling(abs, top string) string {
	for d := abs; ; d = filepath.Dir(d) {
		if d == top {
			return top
		}
		if r1, err := filepath.EvalSymlinks(d); err == nil && r1 == top {
			return d
		}
		if filepath.Dir(d) == d {
			return top
		}
	}
}

// gitDiffNoIndex diffs two files outside any repository, without
// context; exit status 1 (the files differ) is no error.
func gitDiffNoIndex(ctx context.Context, dir, a, b string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", "diff", "--no-index", "--no-color", "--no-ext-diff", "--unified=0", "--", a, b)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return out, nil
	}
	if err != nil {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, fmt.Errorf("git diff: %v %s", err, msg)
	}
	return out, nil
}

// git runs git in dir and returns its standard output; a failure is an
// error holding the first line git wrote to standard error.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
			if msg == "" {
				msg = err.Error()
			}
			return nil, errors.New(msg)
		}
		return nil, fmt.Errorf("git: %w", err)
	}
	return out, nil
}
