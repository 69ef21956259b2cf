package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestReport runs the command over a module whose tests pass, fail and
// skip: one line per package, the failed test's output, the skipped tests
// with their reasons, and go test's exit status.
func TestReport(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gotest")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/r\n\ngo 1.26\n",
		"a/a_test.go": `package a

import (
	"testing"
	"time"
)

func TestPasses(t *testing.T) {}

func TestTakesASecond(t *testing.T) { time.Sleep(1100 * time.Millisecond) }

func TestSkips(t *testing.T) { t.Skip("needs a mail server") }

func TestFails(t *testing.T) {
	t.Log("before the failure")
	t.Error("boom")
}

func TestSubtests(t *testing.T) {
	t.Run("one", func(t *testing.T) { t.Skipf("no %s here", "printer") })
	t.Run("two", func(t *testing.T) {})
}
`,
		"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\n",
		"c/c_test.go": "package c\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Two lanes at once: a then b, and c.
	// c's second run names a test it does not have: that fails.
	cmd := exec.Command(bin, "./a", "--then", "-count=1", "./b", "--", "-count=1", "./c", "--then", "-count=1", "-run", "TestGone", "./c")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1:\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"--- FAIL: example.com/r/a TestFails",
		"before the failure",
		"boom",
		"FAIL example.com/r/a ",
		"ok   example.com/r/b ",
		"ok   example.com/r/c ",
		"skipped: 2 tests",
		"  example.com/r/a TestSkips: needs a mail server (a_test.go:12)",
		"  example.com/r/a TestSubtests/one: no printer here (a_test.go:20)",
		"slowest tests: example.com/r/a TestTakesASecond 1s\n",
		"--- FAIL: example.com/r/c: no test matches -run",
		"failed: example.com/r/a TestFails, example.com/r/c (no test matches -run)",
		"go test FAILED (go test exit status 1) in ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "TestPasses") {
		t.Errorf("a passing test is reported:\n%s", got)
	}
	// b runs after a, whose failure does not stop its lane.
	if a, b := strings.Index(got, "FAIL example.com/r/a "), strings.Index(got, "ok   example.com/r/b "); a < 0 || b < a {
		t.Errorf("b did not run after a:\n%s", got)
	}
}

func TestParseLanes(t *testing.T) {
	got := parseLanes([]string{"-race", "./x", "--then", "-race", "-run", "T", "./y", "--", "./z"})
	want := [][][]string{{{"-race", "./x"}, {"-race", "-run", "T", "./y"}}, {{"./z"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseLanes: %q, want %q", got, want)
	}
}
