package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/internal/testbin"
)

const ledgerModule = "modules/standard/ledger/module.go"

// ledgerFixed is the ledger module as --fix leaves it: the MOD002 fix adds
// a ServiceMethod entry for Sum.
const ledgerFixed = `Name:        "Sum"`

func readString(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// fixOf runs --fix on a copy of the violations workspace whose ledger
// module holds src, and returns what it wrote.
func fixOf(t *testing.T, src string) string {
	t.Helper()
	ws := violationsCopy(t)
	f := filepath.Join(ws, ledgerModule)
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runModls(t, ws, "check", "--fix", "./modules/standard/ledger/..."); code != 1 {
		t.Fatalf("--fix: exit %d\n%s", code, stderr)
	}
	build := exec.Command("go", "build", "./modules/standard/ledger/...")
	build.Dir = ws
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the fixed module does not build: %v\n%s", err, out)
	}
	return readString(t, f)
}

// TestCheckFix_ConcurrentRewrite rewrites the file a fix edits (as an
// editor's save or a formatter does, by renaming a new file over it) while
// --fix runs: every run leaves one of the versions written or its fix of
// one, never a fix applied to the wrong text, and a file --fix did not
// write is reported.
func TestCheckFix_ConcurrentRewrite(t *testing.T) {
	// 50 runs (make test runs this package without the race detector),
	// each with a random number of writes racing the check; under it
	// (each check several times slower) or -short, 30.
	runs := 50
	if testing.Short() || raceDetector {
		runs = 30
	}
	ws := violationsCopy(t)
	f := filepath.Join(ws, ledgerModule)
	a := readString(t, f)
	// b moves every offset after the package clause.
	b := strings.Replace(a, "\nimport", "\n// A comment that moves every offset below it.\n\nimport", 1)
	if b == a {
		t.Fatal("the ledger module has no import")
	}
	good := map[string]string{a: "a", b: "b", fixOf(t, a): "fix(a)", fixOf(t, b): "fix(b)"}
	if len(good) != 4 {
		t.Fatal("the fix changes nothing")
	}
	outcomes := map[string]int{}
	for run := range runs {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		writes := rand.IntN(40)
		go func() {
			defer wg.Done()
			for i := 0; i < writes; i++ {
				select {
				case <-stop:
					return
				default:
				}
				src := a
				if i%2 == 0 {
					src = b
				}
				tmp := f + ".editor"
				if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
					t.Error(err)
					return
				}
				if err := os.Rename(tmp, f); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			}
		}()
		code, _, stderr := runModls(t, ws, "check", "--fix", "./modules/standard/ledger/...")
		close(stop)
		wg.Wait()
		got := readString(t, f)
		name, ok := good[got]
		if !ok {
			t.Fatalf("run %d: --fix wrote a text that is none of the versions nor their fix (exit %d):\n%s\nstderr:\n%s", run, code, got, stderr)
		}
		skipped := strings.Contains(stderr, "module.go: not fixed: changed during the run; run again")
		if skipped != (code == exitCouldNotWrite) {
			t.Fatalf("run %d: exit %d, skip reported %v:\n%s", run, code, skipped, stderr)
		}
		if code != 1 && code != exitCouldNotWrite {
			t.Fatalf("run %d: exit %d\n%s", run, code, stderr)
		}
		if skipped {
			name = "skipped"
		}
		outcomes[name]++
		if err := os.WriteFile(f, []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d runs: %v", runs, outcomes)
}

// TestCheckFix_KeepsTheFile fixes files with CRLF line endings, a byte
// order mark, code gofmt would change, through a symbolic link and with an
// unusual mode: only the edited region changes.
func TestCheckFix_KeepsTheFile(t *testing.T) {
	ws := violationsCopy(t)
	f := filepath.Join(ws, ledgerModule)
	orig := readString(t, f)
	untidy := "\nvar  untidy   =  1 // gofmt would align this\n"
	src := "\ufeff" + strings.ReplaceAll(orig+untidy, "\n", "\r\n")
	// The module file is a link to a file elsewhere.
	real := filepath.Join(ws, "elsewhere", "module.go.txt")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, f); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runModls(t, ws, "check", "--fix", "./modules/standard/ledger/...")
	if code != 1 || !strings.Contains(stderr, "applied fixes to 1 files") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if st, err := os.Lstat(f); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v", err)
	}
	st, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got := readString(t, real)
	if !strings.HasPrefix(got, "\ufeff") {
		t.Error("the byte order mark was dropped")
	}
	if n := strings.Count(got, "\n"); strings.Count(got, "\r\n") != n {
		t.Errorf("%d of %d lines lost their CRLF", n-strings.Count(got, "\r\n"), n)
	}
	if !strings.Contains(got, strings.ReplaceAll(untidy, "\n", "\r\n")) {
		t.Error("code the fix did not edit was reformatted")
	}
	if !strings.Contains(got, ledgerFixed) {
		t.Errorf("the fix was not applied:\n%s", got)
	}
	// Without the BOM, the CRs and the untidy line, the result is what
	// the fix makes of the plain file.
	plain := strings.ReplaceAll(strings.TrimPrefix(got, "\ufeff"), "\r\n", "\n")
	plain = strings.Replace(plain, untidy, "", 1)
	if want := fixOf(t, orig); plain != want {
		t.Errorf("the fixed file differs from the fix of the plain file:\n%s\nwant:\n%s", plain, want)
	}
}

// TestCheckFix_Unwritable fixes two modules, one of whose files cannot be
// written: it is reported in one line, nothing of it is written, the other
// module is fixed, and the exit code says a fix could not be written.
func TestCheckFix_Unwritable(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		setup        func(t *testing.T, file string)
	}{
		{"read-only", "the file is read-only", func(t *testing.T, file string) {
			if err := os.Chmod(file, 0o444); err != nil {
				t.Fatal(err)
			}
		}},
		{"immutable", "the file is immutable", func(t *testing.T, file string) {
			if out, err := exec.Command("chattr", "+i", file).CombinedOutput(); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("chattr +i: %v %s", err, out)
				}
				t.Skipf("chattr +i cannot be set here: %v %s", err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", file).Run() })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := violationsCopy(t)
			f := filepath.Join(ws, ledgerModule)
			before := readString(t, f)
			billing := filepath.Join(ws, "modules/standard/billing/module.go")
			billingBefore := readString(t, billing)
			tc.setup(t, f)
			code, _, stderr := runModls(t, ws, "check", "--fix", "./modules/standard/ledger/...", "./modules/standard/billing/...")
			if code != exitCouldNotWrite {
				t.Errorf("exit %d, want %d\n%s", code, exitCouldNotWrite, stderr)
			}
			if want := "modls check: " + ledgerModule + ": not fixed: " + tc.reason + "\n"; !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
			if got := readString(t, f); got != before {
				t.Error("the unwritable file was written")
			}
			if got := readString(t, billing); got == billingBefore {
				t.Errorf("the other module was not fixed:\n%s", stderr)
			}
			if left := fixTemps(t, ws); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func fixTemps(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".modls-fix-") {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// TestCheckDiff checks that --diff writes nothing and that its output,
// applied with patch -p1, gives exactly what --fix writes, with and
// without the unsafe fixes.
func TestCheckDiff(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("patch is not installed")
		}
		t.Skip("patch is not installed")
	}
	for _, unsafe := range []bool{false, true} {
		t.Run(fmt.Sprint("unsafe=", unsafe), func(t *testing.T) {
			flags := []string{}
			if unsafe {
				flags = append(flags, "--unsafe-fixes")
			}
			patched, fixed := violationsCopy(t), violationsCopy(t)
			before := snapshotTree(t, patched)
			code, diff, stderr := runModls(t, patched, append(append([]string{"check", "--diff"}, flags...), "./...")...)
			if code != 1 || !strings.HasPrefix(diff, "--- a/") {
				t.Fatalf("--diff: exit %d\n%s\nstderr:\n%s", code, diff, stderr)
			}
			if after := snapshotTree(t, patched); !equalTrees(before, after) {
				t.Fatal("--diff wrote files")
			}
			cmd := exec.Command("patch", "-p1", "--binary", "--quiet")
			cmd.Dir = patched
			cmd.Stdin = strings.NewReader(diff)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("patch -p1: %v\n%s", err, out)
			}
			code, _, stderr = runModls(t, fixed, append(append([]string{"check", "--fix"}, flags...), "./...")...)
			if code != 1 && code != 0 {
				t.Fatalf("--fix: exit %d\n%s", code, stderr)
			}
			p, f := snapshotTree(t, patched), snapshotTree(t, fixed)
			for name, data := range f {
				if p[name] != data {
					t.Errorf("%s: patched and fixed differ", name)
				}
			}
			for name := range p {
				if _, ok := f[name]; !ok {
					t.Errorf("%s: only in the patched tree", name)
				}
			}
			if equalTrees(before, f) {
				t.Error("--fix changed nothing")
			}
		})
	}
}

func snapshotTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "go.mod" {
			return nil // names the repository's path, which differs
		}
		data, err := os.ReadFile(path)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCheckSummaryCountsFixes checks the summary's counts of what --fix
// and --unsafe-fixes would fix against the findings' fixes.
func TestCheckSummaryCountsFixes(t *testing.T) {
	ws := violationsCopy(t)
	code, out, _ := runModls(t, ws, "check", "--format", "json", "./...")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Diagnostics []struct {
			Fixes []struct {
				Safe  bool              `json:"safe"`
				Edits []json.RawMessage `json:"edits"`
			} `json:"fixes"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	safe, unsafe := 0, 0
	for _, d := range doc.Diagnostics {
		s, u := false, false
		for _, f := range d.Fixes {
			s = s || f.Safe && len(f.Edits) > 0
			u = u || !f.Safe && len(f.Edits) > 0
		}
		if s {
			safe++
		} else if u {
			unsafe++
		}
	}
	if safe == 0 || unsafe == 0 {
		t.Fatalf("the fixture has %d safe and %d unsafe fixes", safe, unsafe)
	}
	_, _, stderr := runModls(t, ws, "check", "./...")
	want := fmt.Sprintf("; %d fixable with --fix, %d more with --unsafe-fixes\n", safe, unsafe)
	if !regexp.MustCompile(`^modls: .* in \d+ packages` + regexp.QuoteMeta(want)).MatchString(stderr) {
		t.Errorf("summary %q, want it to end %q", stderr, want)
	}
	if !bytes.Contains([]byte(stderr), []byte("fixable")) {
		t.Error("no fix counts")
	}
}

// TestCheckConcurrentColdCache starts eight checks at once on one new
// cache, then eight on a new copy of the seed cache (the dependencies'
// types recorded, as after a first check: all eight write the same
// results at once): the same output from each, and no warning.
func TestCheckConcurrentColdCache(t *testing.T) {
	bin := testbin.Modls(t)
	ws := violationsCopy(t)
	for round := range 2 {
		cache := filepath.Join(t.TempDir(), "cache.db")
		if round == 1 {
			cache = cachetest.Seeded(t)
		}
		type result struct {
			out, err string
			code     int
		}
		results := make([]result, 8)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "check", "./modules/standard/...")
				cmd.Dir = ws
				cmd.Env = append(os.Environ(), "MODLS_CACHE="+cache)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				cmd.Run()
				results[i] = result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
			}()
		}
		wg.Wait()
		for i, r := range results {
			if r.code != 1 || r.out == "" || strings.Contains(r.err, "warning:") || r.out != results[0].out || r.err != results[0].err {
				t.Errorf("round %d, run %d: exit %d\nstderr:\n%s\nstdout differs from the first run's: %v", round, i, r.code, r.err, r.out != results[0].out)
			}
		}
	}
}

// TestCheckSweepsStaleTemps leaves the temporary file of a writer that
// died beside a module file: the next check removes it, also when the
// check before it recorded the tree (the sweep looks where the check's
// own listing of the directories shows a hidden file).
func TestCheckSweepsStaleTemps(t *testing.T) {
	ws := violationsCopy(t)
	if code, _, stderr := runModls(t, ws, "check", "./modules/standard/ledger/..."); code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(ws, "modules/standard/ledger", fmt.Sprintf(".module.go.modls-fix-%d-0123456789ab", dead.Process.Pid))
	if err := os.WriteFile(stale, []byte("half a fix"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runModls(t, ws, "check", "./modules/standard/ledger/..."); code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temporary file was not removed")
	}
}
