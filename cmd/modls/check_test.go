package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modls/modls/checker/cachetest"

	"github.com/modls/modls/internal/testbin"
)

// violationsCopy copies examples/violations into a temporary directory,
// pointing its go.mod at this repository.
func violationsCopy(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	dst := t.TempDir()
	copyTree(t, filepath.Join(root, "examples", "violations"), dst)
	gomod := filepath.Join(dst, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("=> ../.."), []byte("=> "+root), 1)
	if err := os.WriteFile(gomod, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// runModls runs modls in-process in dir, with a cache of the test's own
// that already holds the recorded types of the framework and the standard
// library (cachetest.Warm), as after a developer's first check: the check
// type-checks from source only the packages of dir.
func runModls(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	// One cache per test, as one developer's runs share theirs.
	if _, ok := warmed.LoadOrStore(t, true); !ok {
		cachetest.Warm(t)
		t.Cleanup(func() { warmed.Delete(t) })
	}
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Dir: dir})
	return code, out.String(), errOut.String()
}

// warmed holds the tests whose runModls calls share a cache.
var warmed sync.Map

func TestCheckCommand_Run(t *testing.T) {
	ws := violationsCopy(t)
	app := filepath.Join(repoRoot(t), "examples", "app")
	for _, tc := range []struct {
		name       string
		dir        string
		args       []string
		code       int
		stdout     []string // substrings; none means stdout must be empty
		stderrLine string   // the one line expected on stderr, as a substring
	}{
		{"clean app", app, []string{"check", "./..."}, 0, nil, "no findings in 7 packages"},
		{"one module", ws, []string{"check", "./modules/standard/ledger/..."}, 1,
			[]string{"modules/standard/ledger/service.go:54:18: MOD002 [error] exported method Sum has no ServiceMethod entry"}, "in 1 packages"},
		{"manifest position", ws, []string{"check", "./modules/standard/orders/..."}, 1,
			[]string{"modules/standard/orders/manifest.json:3:14: MOD012 [error] "}, ""},
		{"github format", ws, []string{"check", "--format", "github", "./modules/standard/ledger/..."}, 1,
			[]string{"::error file=modules/standard/ledger/service.go,line=54,col=18,", "title=MOD002::exported method Sum"}, ""},
		{"unknown format", ws, []string{"check", "--format", "xml"}, 2, nil, `unknown format "xml"`},
		{"unknown flag", ws, []string{"check", "--nope"}, 2, nil, "flag provided but not defined: -nope"},
		{"missing directory", ws, []string{"check", "./nowhere/..."}, 2, nil, "nowhere"},
		{"no go.mod", t.TempDir(), []string{"check"}, 2, nil, "no go.mod"},
		{"both baselines", ws, []string{"check", "--baseline", "a", "--write-baseline", "b"}, 2, nil, "cannot be used together"},
		{"sharded baseline", ws, []string{"check", "--shard", "1/2", "--write-baseline", "b"}, 2, nil, "does not go with --shard"},
		{"missing baseline", ws, []string{"check", "--baseline", "none.json"}, 2, nil, "none.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runModls(t, tc.dir, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if len(tc.stdout) == 0 && stdout != "" {
				t.Errorf("stdout is not empty:\n%s", stdout)
			}
			if tc.stderrLine != "" && !strings.Contains(stderr, tc.stderrLine) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderrLine, stderr)
			}
			if tc.code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(stderr, "usage") {
				t.Errorf("a usage or load error takes more than one line:\n%s", stderr)
			}
		})
	}
}

func TestCheckCommand_JSONAndSARIF(t *testing.T) {
	ws := violationsCopy(t)
	code, stdout, _ := runModls(t, ws, "check", "--format", "json", "./modules/standard/ledger/...")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Diagnostics []map[string]any `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(doc.Diagnostics) == 0 {
		t.Fatal("no diagnostics")
	}
	for _, key := range []string{"rule", "severity", "file", "line", "column", "end_line", "end_column", "message", "fixes"} {
		if _, ok := doc.Diagnostics[0][key]; !ok {
			t.Errorf("a diagnostic lacks %q: %v", key, doc.Diagnostics[0])
		}
	}
	if f := doc.Diagnostics[0]["file"].(string); strings.HasPrefix(f, "/") || strings.Contains(f, "\\") {
		t.Errorf("file %q is not relative and slash-separated", f)
	}
	code, stdout, _ = runModls(t, ws, "check", "--format", "sarif", "./modules/standard/ledger/...")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string           `json:"name"`
					Rules []map[string]any `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &sarif); err != nil || code != 1 {
		t.Fatalf("exit %d, not SARIF: %v", code, err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || sarif.Runs[0].Tool.Driver.Name != "modls" || len(sarif.Runs[0].Tool.Driver.Rules) != 12 || len(sarif.Runs[0].Results) == 0 {
		t.Errorf("SARIF document: %+v", sarif)
	}
}

func TestCheckCommand_Baseline(t *testing.T) {
	ws := violationsCopy(t)
	if code, _, stderr := runModls(t, ws, "check", "--write-baseline", "baseline.json"); code != 0 {
		t.Fatalf("write-baseline exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runModls(t, ws, "check", "--baseline", "baseline.json")
	if code != 0 || stdout != "" {
		t.Fatalf("with the baseline: exit %d\n%s%s", code, stdout, stderr)
	}
	svc := filepath.Join(ws, "modules/standard/ledger/service.go")
	data, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(svc, append(data, []byte("\n// Undo reverts an entry.\nfunc (e *Entries) Undo(ctx context.Context) error { return nil }\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runModls(t, ws, "check", "--baseline", "baseline.json")
	if code != 1 || !strings.Contains(stdout, "references service method Undo") || strings.Contains(stdout, "Sum has no ServiceMethod entry") {
		t.Errorf("a new finding: exit %d\n%s", code, stdout)
	}
}

func TestCheckCommand_Fix(t *testing.T) {
	ws := violationsCopy(t)
	code, _, stderr := runModls(t, ws, "check", "--fix", "./modules/standard/ledger/...")
	if !strings.Contains(stderr, "applied") {
		t.Fatalf("no fix applied (exit %d):\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(ws, "modules/standard/ledger/module.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `Name:        "Sum"`) {
		t.Errorf("the safe MOD002 fix did not add an entry for Sum:\n%s", data)
	}
	_, stdout, _ := runModls(t, ws, "check", "./modules/standard/ledger/...")
	if strings.Contains(stdout, "Sum has no ServiceMethod entry") {
		t.Errorf("the finding is still there after --fix:\n%s", stdout)
	}
	build := exec.Command("go", "build", "./...")
	build.Dir = ws
	if out, err := build.CombinedOutput(); err != nil {
		t.Errorf("the fixed workspace does not build: %v\n%s", err, out)
	}
}

// TestCheckCommand_Cache checks that modls check keeps its results in
// the cache MODLS_CACHE names (the test's own), and in none with
// --no-cache.
func TestCheckCommand_Cache(t *testing.T) {
	ws := violationsCopy(t)
	for _, tc := range []struct {
		args  []string
		write bool
	}{
		{[]string{"check", "./modules/standard/ledger/..."}, true},
		{[]string{"check", "--no-cache", "./modules/standard/ledger/..."}, false},
	} {
		path := cachetest.Use(t)
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Dir: ws})
		if code != 1 {
			t.Errorf("%q: exit %d, want 1\n%s%s", tc.args, code, out.String(), errOut.String())
		}
		st, err := os.Stat(path)
		if tc.write && (err != nil || st.Size() == 0) {
			t.Errorf("%q: no cache at MODLS_CACHE=%s: %v", tc.args, path, err)
		}
		if !tc.write && err == nil {
			t.Errorf("%q wrote a cache at %s", tc.args, path)
		}
	}
}

// TestVetTool runs the rules under go vet with the modls binary as its
// vet tool.
func TestVetTool(t *testing.T) {
	bin := testbin.Modls(t)
	ws := violationsCopy(t)
	vet := exec.Command("go", "vet", "-vettool="+bin, "./modules/standard/ledger/...", "./modules/standard/tracker/...")
	vet.Dir = ws
	out, err := vet.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "modules/standard/ledger/service.go:54:18: MOD002: exported method Sum has no ServiceMethod entry") ||
		!strings.Contains(string(out), "MOD006: no such table: tracker_event") {
		t.Errorf("go vet -vettool=modls: err %v\n%s", err, out)
	}
	// modls vet with a flag go vet does not take: one line and where the
	// usage is, not go vet's usage.
	vet = exec.Command(bin, "vet", "-no-such-flag", "./...")
	vet.Dir = ws
	out, err = vet.CombinedOutput()
	if want := "modls vet: flag provided but not defined: -no-such-flag\nrun 'modls vet -h' for usage\n"; vet.ProcessState.ExitCode() != 2 || string(out) != want {
		t.Errorf("modls vet -no-such-flag: %v\n%s", err, out)
	}
	vet = exec.Command(bin, "vet", "./...")
	vet.Dir = filepath.Join(repoRoot(t), "examples", "app")
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("modls vet on examples/app: %v\n%s", err, out)
	}
}

func TestRulesCommand(t *testing.T) {
	code, stdout, _ := runModls(t, t.TempDir(), "rules")
	if code != 0 || strings.Count(stdout, "\nMOD0") != 12 {
		t.Errorf("rules: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runModls(t, t.TempDir(), "rules", "db-outside-session")
	for _, h := range []string{"MOD005 db-outside-session", "What it does", "Why is this bad", "Example", "Use instead", "Fix safety"} {
		if code != 0 || !strings.Contains(stdout, h) {
			t.Errorf("rules db-outside-session lacks %q (exit %d)", h, code)
		}
	}
	if code, _, stderr := runModls(t, t.TempDir(), "rules", "MOD999"); code != 2 || !strings.Contains(stderr, `no rule "MOD999"`) {
		t.Errorf("rules MOD999: exit %d, %s", code, stderr)
	}
}

// TestCheckStandardLibrary runs modls check over the Go standard library
// (a large tree with no framework modules): it must report nothing and not
// crash. It runs a normally built binary, as the race detector would make
// an in-process run of 344 packages needlessly slow.
func TestCheckStandardLibrary(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := testbin.Modls(t)
	cmd := exec.Command(bin, "check", "./...")
	cmd.Dir = filepath.Join(strings.TrimSpace(string(goroot)), "src")
	cmd.Env = append(os.Environ(), "MODLS_CACHE=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("modls check over the standard library: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "no findings in") {
		t.Errorf("findings in the standard library:\n%s%s", stdout.String(), stderr.String())
	}
}
