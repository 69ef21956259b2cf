package checker

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func change(name, old, new string) Change {
	return Change{File: name, Exists: true, Old: []byte(old), New: []byte(new)}
}

// temps lists the writer's temporary files left in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), tempMarker) {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func TestWriteChangesKeepsModeOwnerAndLinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "a.go")
	writeFile(t, real, "old\n", 0o640)
	if os.Geteuid() == 0 {
		if err := os.Chown(real, 4321, 4322); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.go")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteChanges([]Change{change(link, "old\n", "new\n")}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", st.Mode(), err)
	}
	if got := readFile(t, real); got != "new\n" {
		t.Errorf("the link's target holds %q", got)
	}
	st, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if sys := st.Sys().(*syscall.Stat_t); os.Geteuid() == 0 && (sys.Uid != 4321 || sys.Gid != 4322) {
		t.Errorf("owner %d:%d, want 4321:4322", sys.Uid, sys.Gid)
	}
	if left := temps(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWriteChangesRefusesBeforeWritingAnything(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, file string)
		reason string
	}{
		{"read-only", func(t *testing.T, file string) { os.Chmod(file, 0o444) }, "the file is read-only"},
		{"immutable", func(t *testing.T, file string) {
			if out, err := exec.Command("chattr", "+i", file).CombinedOutput(); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("chattr +i: %v %s", err, out)
				}
				t.Skipf("chattr +i cannot be set here: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", file).Run() })
		}, "the file is immutable"},
		{"append-only", func(t *testing.T, file string) {
			if out, err := exec.Command("chattr", "+a", file).CombinedOutput(); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("chattr +a: %v %s", err, out)
				}
				t.Skipf("chattr +a cannot be set here: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-a", file).Run() })
		}, "the file is append-only"},
		{"changed", func(t *testing.T, file string) { os.WriteFile(file, []byte("c\n"), 0o644) }, ReasonChanged},
		{"removed", func(t *testing.T, file string) { os.Remove(file) }, ReasonChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// A set of three files, the middle one not writable: none is
			// written.
			a, b, c := filepath.Join(dir, "a.go"), filepath.Join(dir, "sub", "b.go"), filepath.Join(dir, "c.go")
			for _, f := range []string{a, b, c} {
				writeFile(t, f, "old\n", 0o644)
			}
			tc.setup(t, b)
			err := WriteChanges([]Change{change(a, "old\n", "new\n"), change(b, "old\n", "new\n"), change(c, "old\n", "new\n")})
			var we *WriteError
			if !errors.As(err, &we) || we.File != b || we.Reason != tc.reason {
				t.Fatalf("error %v, want %s: %s", err, b, tc.reason)
			}
			if we.Changed != (tc.reason == ReasonChanged) {
				t.Errorf("Changed = %v", we.Changed)
			}
			for _, f := range []string{a, c} {
				if got := readFile(t, f); got != "old\n" {
					t.Errorf("%s was written: %q", f, got)
				}
			}
			if left := temps(t, dir); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func TestWriteChangesCreatesOnlyAbsentFiles(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "new", "doc.go")
	if err := WriteChanges([]Change{{File: f, New: []byte("package x\n")}}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, f); got != "package x\n" {
		t.Errorf("created %q", got)
	}
	err := WriteChanges([]Change{{File: f, New: []byte("package y\n")}})
	var we *WriteError
	if !errors.As(err, &we) || !we.Changed {
		t.Errorf("a file that appeared was overwritten: %v", err)
	}
}

func TestSweepTempsLeavesLiveWritersAlone(t *testing.T) {
	dir := t.TempDir()
	dead := startAndReap(t)
	stale := filepath.Join(dir, ".a.go"+tempMarker+fmt.Sprint(dead)+"-abcdef")
	live := filepath.Join(dir, ".b.go"+tempMarker+fmt.Sprint(os.Getpid())+"-abcdef")
	older := filepath.Join(dir, ".c.go.modls-123456")
	for _, f := range []string{stale, live, older} {
		writeFile(t, f, "x", 0o600)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(older, old, old)
	SweepTemps([]string{dir})
	for f, want := range map[string]bool{stale: false, live: true, older: false} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}

// startAndReap returns the id of a process that has exited.
func startAndReap(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

const childEnv = "MODLS_FIXWRITE_CHILD"

// TestWriteChangesChild is the process TestWriteChangesSurvivesSIGKILL
// kills: when started by it, it sweeps as a new run does, then rewrites
// the set of files in its directory, one version after another, until it
// is killed.
func TestWriteChangesChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		return // only a child of the test below does anything
	}
	files := killSet(dir)
	SweepTemps([]string{dir, filepath.Join(dir, "sub")})
	fmt.Println("ready")
	for {
		var set []Change
		var v int
		for i, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				fmt.Sscanf(string(data), "version %d", &v)
			}
			set = append(set, Change{File: f, Exists: true, Old: data, New: []byte(fmt.Sprintf("version %d\n%s", v+1, strings.Repeat("x", 4096*(i+1))))})
		}
		if err := WriteChanges(set); err != nil {
			t.Fatal(err)
		}
	}
}

func killSet(dir string) []string {
	return []string{filepath.Join(dir, "a.go"), filepath.Join(dir, "sub", "b.go"), filepath.Join(dir, "c.json")}
}

// TestWriteChangesSurvivesSIGKILL kills a writer at random points: after
// the next run's sweep every file of the set holds the same version and
// no temporary file is left.
func TestWriteChangesSurvivesSIGKILL(t *testing.T) {
	runs := 100
	if testing.Short() {
		runs = 20
	}
	dir := t.TempDir()
	files := killSet(dir)
	for i, f := range files {
		writeFile(t, f, fmt.Sprintf("version 0\n%s", strings.Repeat("x", 4096*(i+1))), 0o644)
	}
	completed := 0
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriteChangesChild$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the child to be writing, then kill it at a random
		// point of its work.
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: the child did not start: %q %v", run, line, err)
		}
		time.Sleep(time.Duration(rand.IntN(20000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		// The next run.
		completed += SweepTemps([]string{dir, filepath.Join(dir, "sub")})
		var versions []string
		for _, f := range files {
			first, _, _ := strings.Cut(readFile(t, f), "\n")
			versions = append(versions, first)
		}
		for _, v := range versions[1:] {
			if v != versions[0] {
				t.Fatalf("run %d: the set is half-written: %v", run, versions)
			}
		}
		if left := temps(t, dir); len(left) > 0 {
			t.Fatalf("run %d: temporary files left after the next run: %v", run, left)
		}
	}
	first, _, _ := strings.Cut(readFile(t, files[0]), "\n")
	t.Logf("%d runs killed, %d journals of killed writers completed by the next run, files at %s", runs, completed, first)
}
