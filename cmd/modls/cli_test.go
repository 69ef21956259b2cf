package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/modls/modls/checker/cachetest"
)

// TestHelpAndFlagErrors walks every command: -h and --help print the
// usage on standard output and exit 0; a flag the command does not take
// is one line of error and one line saying where the usage is, on
// standard error, exit 2. (modls vet hands its flags to go vet, so its
// bad flag is checked with a built binary in TestVetTool.)
func TestHelpAndFlagErrors(t *testing.T) {
	cachetest.Use(t)
	dir := t.TempDir()
	for _, name := range []string{"check", "cache", "merge", "rules", "serve", "vet", "scaffold", "sandbox", "version"} {
		for _, h := range []string{"-h", "--help"} {
			code, stdout, stderr := runShared(dir, name, h)
			if code != 0 || stderr != "" || !strings.Contains(stdout, "modls "+name) {
				t.Errorf("modls %s %s: exit %d, stderr %q, stdout:\n%s", name, h, code, stderr, stdout)
			}
		}
		if code, stdout, _ := runShared(dir, "help", name); code != 0 || !strings.Contains(stdout, "modls "+name) {
			t.Errorf("modls help %s: exit %d\n%s", name, code, stdout)
		}
		if name == "vet" {
			continue
		}
		code, stdout, stderr := runShared(dir, name, "--no-such-flag")
		want := "modls " + name + ": flag provided but not defined: -no-such-flag\nrun 'modls " + name + " -h' for usage\n"
		if code != 2 || stdout != "" || stderr != want {
			t.Errorf("modls %s --no-such-flag: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", name, code, stdout, stderr, want)
		}
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, stdout, stderr := runShared(dir, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "modls <command>") {
			t.Errorf("modls %s: exit %d, stderr %q\n%s", args[0], code, stderr, stdout)
		}
	}
	// A bad value is the same one line and pointer.
	for _, args := range [][]string{
		{"sandbox", "--module", "standard.audit", "--memory", "lots"},
		{"sandbox", "--timeout", "soon"},
		{"check", "--fix=maybe"},
		{"check", "--shard", "0/2"},
		{"check", "--shard", "3/2"},
		{"check", "--shard", "x"},
		{"version", "extra"},
		{"cache"},
		{"cache", "prune"},
		{"cache", "export"},
		{"cache", "import", "a", "b"},
		{"cache", "export", "--no-such-flag", "f"},
	} {
		code, stdout, stderr := runShared(dir, args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != 2 || stdout != "" || len(lines) != 2 || lines[1] != "run 'modls "+args[0]+" -h' for usage" {
			t.Errorf("modls %s: exit %d, stdout %q, stderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

// checkSelectIgnore runs only the rules --select names, without those
// --ignore names, by ID or name, over modls.json.
func checkSelectIgnore(t *testing.T, ws string) {
	ledger := "./modules/standard/ledger/..."
	rulesOf := func(stdout string) map[string]int {
		out := map[string]int{}
		for _, m := range regexp.MustCompile(`(?m)^\S+:\d+:\d+: (\w+) `).FindAllStringSubmatch(stdout, -1) {
			out[m[1]]++
		}
		return out
	}
	code, stdout, _ := runShared(ws, "check", "--format", "concise", ledger)
	all := rulesOf(stdout)
	if code != 1 || all["MOD001"] == 0 || all["MOD002"] == 0 || all["MOD012"] == 0 {
		t.Fatalf("without --select: exit %d, %v\n%s", code, all, stdout)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--select", "MOD002"}, []string{"MOD002"}},
		{[]string{"--select", "mod002,manifest"}, []string{"MOD002", "MOD012"}},
		{[]string{"--select", "MOD002", "--select", "service-registration"}, []string{"MOD001", "MOD002"}},
		{[]string{"--ignore", "MOD001,MOD012"}, []string{"MOD002"}},
		{[]string{"--select", "MOD001,MOD002", "--ignore", "service-docs-missing"}, []string{"MOD001"}},
	} {
		code, stdout, stderr := runShared(ws, append(append([]string{"check", "--format", "concise"}, tc.args...), ledger)...)
		got := rulesOf(stdout)
		var ids []string
		for id := range got {
			ids = append(ids, id)
		}
		if code != 1 || len(got) != len(tc.want) {
			t.Errorf("%q: exit %d, rules %v, want %v\n%s%s", tc.args, code, got, tc.want, stdout, stderr)
			continue
		}
		for _, id := range tc.want {
			if got[id] != all[id] {
				t.Errorf("%q: %d findings of %s, want %d", tc.args, got[id], id, all[id])
			}
		}
	}
	// modls.json turns MOD002 off; --select turns it back on.
	if err := os.WriteFile(filepath.Join(ws, "modls.json"), []byte(`{"rules": {"MOD002": "off"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(filepath.Join(ws, "modls.json"))
	if _, stdout, _ := runShared(ws, "check", "--format", "concise", ledger); rulesOf(stdout)["MOD002"] != 0 {
		t.Errorf("modls.json's off is not honoured:\n%s", stdout)
	}
	if _, stdout, _ := runShared(ws, "check", "--format", "concise", "--select", "MOD002", ledger); rulesOf(stdout)["MOD002"] != all["MOD002"] {
		t.Errorf("--select MOD002 over modls.json's off:\n%s", stdout)
	}
	for _, args := range [][]string{{"--select", "MOD999"}, {"--ignore", "MOD002,no-such-rule"}} {
		code, stdout, stderr := runShared(ws, append([]string{"check"}, args...)...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, args[0]+": no rule") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=modls", "-c", "user.email=modls@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// checkNewFromRev reports only the findings on lines changed since a
// revision (and in files git does not track yet), with and without a
// baseline.
func checkNewFromRev(t *testing.T, ws string) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	git(t, ws, "init", "-q")
	git(t, ws, "add", ".")
	git(t, ws, "commit", "-q", "-m", "violations")
	ledger := "./modules/standard/ledger/..."
	if code, stdout, stderr := runShared(ws, "check", "--new-from-rev", "HEAD", ledger); code != 0 || stdout != "" {
		t.Fatalf("nothing changed: exit %d\n%s%s", code, stdout, stderr)
	}
	svc := filepath.Join(ws, "modules/standard/ledger/service.go")
	old := readString(t, svc)
	added := "\n// Undo reverts an entry.\nfunc (t *Totals) Undo(ctx context.Context) error { return nil }\n"
	if err := os.WriteFile(svc, []byte(old+added), 0o644); err != nil {
		t.Fatal(err)
	}
	undoLine := strings.Count(old, "\n") + 3
	if err := os.WriteFile(filepath.Join(ws, "modules/standard/ledger/more.go"), []byte("package ledger\n\nimport \"context\"\n\n// Redo applies an entry again.\nfunc (t *Totals) Redo(ctx context.Context) error { return nil }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runShared(ws, "check", "--format", "concise", "--new-from-rev", "HEAD", ledger)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 1 || strings.Contains(stdout, "Sum has no ServiceMethod entry") || !strings.Contains(stdout, "Undo") || !strings.Contains(stdout, "more.go:6:") {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "modules/standard/ledger/service.go:"+strconv.Itoa(undoLine)+":") && !strings.HasPrefix(l, "modules/standard/ledger/more.go:6:") {
			t.Errorf("a finding on a line that did not change: %s", l)
		}
	}
	// With a baseline recorded after the first change, only the second
	// change's findings are new.
	if code, _, stderr := runShared(ws, "check", "--write-baseline", "b.json", ledger); code != 0 {
		t.Fatalf("--write-baseline: exit %d %s", code, stderr)
	}
	if err := os.WriteFile(svc, []byte(old+added+"\n// Clear empties the totals.\nfunc (t *Totals) Clear(ctx context.Context) error { return nil }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runShared(ws, "check", "--format", "concise", "--baseline", "b.json", "--new-from-rev", "HEAD", ledger)
	if code != 1 || !strings.Contains(stdout, "Clear") || strings.Contains(stdout, "Undo") || strings.Contains(stdout, "Redo") {
		t.Errorf("with a baseline: exit %d\n%s", code, stdout)
	}

	for _, rev := range []string{"no-such-branch", "HEAD~3"} {
		code, stdout, stderr := runShared(ws, "check", "--new-from-rev", rev, ledger)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `--new-from-rev: unknown revision "`+rev+`"`) {
			t.Errorf("--new-from-rev %s: exit %d, stderr %q", rev, code, stderr)
		}
	}
	code, _, stderr = runShared(t.TempDir(), "check", "--new-from-rev", "HEAD", filepath.Join(ws, "modules/standard/ledger")+"/...")
	if code != 2 || !strings.Contains(stderr, "not in a git working tree") {
		t.Errorf("outside a working tree: exit %d, %s", code, stderr)
	}
}

// checkAbsolutePaths gives every flag that takes a path an absolute one,
// outside the directory modls runs in.
func checkAbsolutePaths(t *testing.T, ws string) {
	elsewhere := t.TempDir()
	ledger := "./modules/standard/ledger/..."

	base := filepath.Join(elsewhere, "baselines", "b.json")
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runShared(ws, "check", "--write-baseline", base, ledger); code != 0 || !strings.Contains(stderr, "recorded") {
		t.Fatalf("--write-baseline %s: exit %d, %s", base, code, stderr)
	}
	missing := filepath.Join(elsewhere, "nowhere", "b.json")
	if code, stdout, stderr := runShared(ws, "check", "--write-baseline", missing, ledger); code != 2 || stdout != "" ||
		stderr != "modls check: --write-baseline: directory "+filepath.Dir(missing)+" does not exist\n" {
		t.Errorf("--write-baseline %s: exit %d, %q", missing, code, stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(base)); len(entries) != 1 {
		t.Errorf("beside the baseline: %v", entries)
	}
	if code, stdout, stderr := runShared(ws, "check", "--baseline", base, ledger); code != 0 || stdout != "" {
		t.Errorf("--baseline %s: exit %d\n%s%s", base, code, stdout, stderr)
	}
	// The same baseline, named relative to another directory.
	rel, err := filepath.Rel(filepath.Join(ws, "modules"), base)
	if err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runShared(filepath.Join(ws, "modules"), "check", "--baseline", rel, "./standard/ledger/..."); code != 0 || stdout != "" {
		t.Errorf("--baseline %s from modules/: exit %d\n%s%s", rel, code, stdout, stderr)
	}

	cfg := filepath.Join(elsewhere, "modls.json")
	if err := os.WriteFile(cfg, []byte(`{"rules": {"MOD002": "off"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	relCfg, err := filepath.Rel(ws, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{cfg, relCfg} {
		code, stdout, stderr := runShared(ws, "check", "--config", c, ledger)
		if code != 1 || strings.Contains(stdout, "MOD002") || !strings.Contains(stdout, "MOD001") {
			t.Errorf("--config %s: exit %d\n%s%s", c, code, stdout, stderr)
		}
	}

	// An absolute pattern from elsewhere: the files are not under the
	// current directory, so they are named absolutely.
	code, stdout, _ := runShared(elsewhere, "check", "--format", "concise", filepath.Join(ws, "modules/standard/ledger")+"/...")
	if code != 1 || !strings.Contains(stdout, filepath.Join(ws, "modules/standard/ledger/service.go")+":54:18: MOD002") {
		t.Errorf("an absolute pattern: exit %d\n%s", code, stdout)
	}

	// scaffold --dir and sandbox --dir.
	app := filepath.Join(elsewhere, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runShared(ws, "scaffold", "--name", "reports", "--type", "standard", "--dir", app); code != 0 {
		t.Errorf("scaffold --dir %s: exit %d, %s", app, code, stderr)
	} else if _, err := os.Stat(filepath.Join(app, "modules/standard/reports/manifest.json")); err != nil {
		t.Errorf("scaffold --dir %s: %v", app, err)
	}
	exampleApp := filepath.Join(repoRoot(t), "examples", "app")
	if code, _, stderr := runShared(elsewhere, "sandbox", "--module", "nope", "--dir", exampleApp); code != 2 || !strings.Contains(stderr, "standard.audit") {
		t.Errorf("sandbox --dir %s: exit %d, %s", exampleApp, code, stderr)
	}

	// serve --logfile.
	logfile := filepath.Join(elsewhere, "logs", "serve.log")
	if err := os.MkdirAll(filepath.Dir(logfile), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runShared(ws, "serve", "--logfile", logfile); code != 0 {
		t.Errorf("serve --logfile %s: exit %d, %s", logfile, code, stderr)
	} else if _, err := os.Stat(logfile); err != nil {
		t.Errorf("serve --logfile %s: %v", logfile, err)
	}
}

// checkTimings prints where the time went on standard error, leaving
// standard output as it is. (The rules selected differ from the earlier
// checks', so the ledger package is checked, not taken from the cache.)
func checkTimings(t *testing.T, ws string) {
	ledger := "./modules/standard/ledger/..."
	code, stdout, stderr := runShared(ws, "check", "--timings", "--format", "concise", "--ignore", "MOD011", ledger)
	if code != 1 || !strings.Contains(stdout, "MOD002") || strings.Contains(stdout, "timings") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, re := range []string{
		`(?m)^modls: timings: \d+\.\d{3}s wall clock$`,
		`(?m)^    load +\d+\.\d{3}s  the package listing`,
		`(?m)^    type-check +[0-9.]+s `,
		`(?m)^    rules +[0-9.]+s `,
		`(?m)^    cache +[0-9.]+s `,
		`(?m)^    MOD002 +[0-9.]+s  service-docs-missing$`,
		`(?m)^    MOD012 +[0-9.]+s  manifest$`,
		`(?m)^    modlsframework +[0-9.]+s  \(used by the rules\)$`,
		`(?m)^  slowest packages\n +[0-9.]+s  example.com/violations/modules/standard/ledger$`,
	} {
		if !regexp.MustCompile(re).MatchString(stderr) {
			t.Errorf("--timings: stderr does not match %s:\n%s", re, stderr)
		}
	}
	// The phases' and the rules' durations are one column, whatever the
	// longest name.
	column := map[int]bool{}
	for _, m := range regexp.MustCompile(`(?m)^    \S+ +\d+\.\d{3}s  `).FindAllString(stderr, -1) {
		column[len(m)] = true
	}
	if len(column) != 1 {
		t.Errorf("--timings: the durations are not in one column:\n%s", stderr)
	}
	// Answered from the cache: no package checked, no rule run.
	_, _, stderr = runShared(ws, "check", "--timings", "--ignore", "MOD011", ledger)
	if !strings.Contains(stderr, "none checked: every package was answered from the cache") {
		t.Errorf("--timings from the cache:\n%s", stderr)
	}
}
