package gitdiff

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=modls", "-c", "user.email=modls@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// needGit fails under CI, and skips elsewhere, when git is missing.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSince(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q")
	write(t, filepath.Join(dir, "a.go"), "1\n2\n3\n4\n5\n")
	write(t, filepath.Join(dir, "sub", "b.go"), "1\n2\n3\n")
	write(t, filepath.Join(dir, "old name.go"), "x\n")
	write(t, filepath.Join(dir, ".gitignore"), "*.log\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "first")

	write(t, filepath.Join(dir, "a.go"), "2\nTWO\n3\n4\nnew\n5\n") // line 1 deleted, 2 rewritten, one inserted
	write(t, filepath.Join(dir, "sub", "b.go"), "1\n2\n3\n4\n")    // staged, appended
	gitRun(t, dir, "add", "sub/b.go")
	write(t, filepath.Join(dir, "new file.go"), "a\nb\n") // untracked
	write(t, filepath.Join(dir, "ignored.log"), "a\n")
	gitRun(t, dir, "mv", "old name.go", "renamed é.go")

	c, err := Since(context.Background(), filepath.Join(dir, "sub"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if c.Root != dir {
		t.Errorf("Root = %s, want %s", c.Root, dir)
	}
	for _, tc := range []struct {
		file string
		line int
		want bool
	}{
		{"a.go", 1, false},
		{"a.go", 2, true},
		{"a.go", 3, false},
		{"a.go", 5, true},
		{"a.go", 6, false},
		{"sub/b.go", 3, false},
		{"sub/b.go", 4, true},
		{"new file.go", 1, true},
		{"new file.go", 99, true},
		{"ignored.log", 1, false},
		{"renamed é.go", 1, true},
		{"old name.go", 1, false},
		{filepath.Join(dir, "a.go"), 2, true},
	} {
		if got := c.Changed(tc.file, tc.line); got != tc.want {
			t.Errorf("Changed(%s, %d) = %v, want %v", tc.file, tc.line, got, tc.want)
		}
	}
	files := c.Files()
	slices.Sort(files)
	if len(files) != 4 {
		t.Errorf("Files() = %q", files)
	}

	for _, rev := range []string{"nope", "HEAD~5", "--output=x", ""} {
		if _, err := Since(context.Background(), dir, rev); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("revision %q: %v", rev, err)
		}
	}
	if _, err := Since(context.Background(), t.TempDir(), "HEAD"); err == nil || !strings.Contains(err.Error(), "not in a git working tree") {
		t.Errorf("outside a working tree: %v", err)
	}
}

func TestNewRange(t *testing.T) {
	for h, want := range map[string][2]int{
		"@@ -1 +1 @@":              {1, 1},
		"@@ -3,0 +4,2 @@ func F()": {4, 2},
		"@@ -5,2 +4,0 @@":          {4, 0},
	} {
		s, n, err := newRange(h)
		if err != nil || s != want[0] || n != want[1] {
			t.Errorf("newRange(%q) = %d, %d, %v; want %v", h, s, n, err, want)
		}
	}
	if _, _, err := newRange("@@ nonsense"); err == nil {
		t.Error("a bad header was read")
	}
}

func TestTracker(t *testing.T) {
	needGit(t)
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q")
	file := filepath.Join(dir, "pkg", "a.go")
	write(t, file, "1\n2\n3\n4\n")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "first")
	ctx := context.Background()
	tr := NewTracker("HEAD")
	changed, err := tr.Lines(ctx, file, []byte("1\nTWO\n3\nnew\n4\n")) // unsaved content
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int]bool{1: false, 2: true, 3: false, 4: true, 5: false} {
		if changed(line) != want {
			t.Errorf("line %d: changed %v, want %v", line, changed(line), want)
		}
	}
	if changed, err := tr.Lines(ctx, file, []byte("1\n2\n3\n4\n")); err != nil || changed(2) {
		t.Errorf("the content as committed: %v", err)
	}
	if changed, err := tr.Lines(ctx, filepath.Join(dir, "pkg", "b.go"), []byte("x\n")); err != nil || !changed(1) || !changed(7) {
		t.Errorf("a file the revision does not have: %v", err)
	}
	// The branch moves: the answer follows it.
	write(t, file, "1\nTWO\n3\nnew\n4\n")
	gitRun(t, dir, "commit", "-q", "-am", "second")
	if changed, err := tr.Lines(ctx, file, []byte("1\nTWO\n3\nnew\n4\n")); err != nil || changed(2) || changed(4) {
		t.Errorf("after a commit: %v", err)
	}
	if _, err := NewTracker("no-such-rev").Lines(ctx, file, nil); err == nil || !strings.Contains(err.Error(), `unknown revision "no-such-rev"`) {
		t.Errorf("an unknown revision: %v", err)
	}
	if _, err := tr.Lines(ctx, filepath.Join(t.TempDir(), "x.go"), nil); err == nil || !strings.Contains(err.Error(), "not in a git working tree") {
		t.Errorf("outside a working tree: %v", err)
	}
}
