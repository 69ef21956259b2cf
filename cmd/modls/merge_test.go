package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/internal/testbin"
)

// modlsProcess runs the modls binary in dir with the cache at cache, and
// returns its exit status and outputs.
func modlsProcess(t *testing.T, dir, cache string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(testbin.Modls(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MODLS_CACHE="+cache)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatalf("modls %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String(), errOut.String()
}

// shardOutput is what a test reads of a shard's JSON output.
type shardOutput struct {
	Diagnostics []struct {
		File string `json:"file"`
		Rule string `json:"rule"`
	} `json:"diagnostics"`
	Shard *struct {
		K, N     int
		Run      string
		Packages []string
	} `json:"shard"`
}

// editFile inserts text before line (1-based; 0 appends).
func editFile(t *testing.T, name string, line int, text string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if line == 0 {
		lines = append(lines, text+"\n")
	} else {
		lines = slices.Insert(lines, line-1, text+"\n")
	}
	if err := os.WriteFile(name, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestShardMerge splits the check of examples/violations, with a
// suppression, two suppression findings and a baseline, into N = 1, 2 and
// 3 shards, each a process with a cache of its own, and merges them: the
// shards' packages are every package once, and the merged JSON and SARIF
// are byte for byte the unsharded check's.
func TestShardMerge(t *testing.T) {
	cachetest.Use(t)
	ws := violationsCopy(t)
	// A suppression that silences a finding, one that silences nothing
	// and one that names no rule.
	editFile(t, filepath.Join(ws, "modules/standard/ledger/service.go"), 54, "//modls:ignore MOD002 Sum is documented in the ledger's README")
	editFile(t, filepath.Join(ws, "modules/standard/racks/module.go"), 0, "//modls:ignore MOD005 there is no query here")
	editFile(t, filepath.Join(ws, "modules/standard/catalog/module.go"), 0, "//modls:ignore")
	// A baseline accepting what two modules' packages find today.
	if code, _, stderr := modlsProcess(t, ws, cachetest.Seeded(t), "check", "--write-baseline", "baseline.json",
		"./modules/standard/shelves/...", "./modules/standard/tracker/..."); code != 0 {
		t.Fatalf("--write-baseline: exit %d\n%s", code, stderr)
	}
	check := []string{"check", "--baseline", "baseline.json"}
	cache := cachetest.Seeded(t)
	code, wantJSON, stderr := modlsProcess(t, ws, cache, append(check, "--format", "json")...)
	if code != 1 {
		t.Fatalf("unsharded: exit %d\n%s", code, stderr)
	}
	_, wantSARIF, _ := modlsProcess(t, ws, cache, append(check, "--format", "sarif")...)
	var whole shardOutput
	if err := json.Unmarshal([]byte(wantJSON), &whole); err != nil {
		t.Fatal(err)
	}
	if whole.Shard != nil || strings.Contains(wantJSON, `"shard"`) {
		t.Fatalf("the unsharded output names a shard:\n%s", wantJSON)
	}
	rules := map[string]int{}
	for _, d := range whole.Diagnostics {
		rules[d.Rule]++
		if strings.HasPrefix(d.File, "modules/standard/shelves/") || strings.HasPrefix(d.File, "modules/standard/tracker/") {
			t.Errorf("a finding the baseline records is reported: %+v", d)
		}
		if d.File == "modules/standard/ledger/service.go" && d.Rule == "MOD002" {
			t.Errorf("the suppressed finding is reported: %+v", d)
		}
	}
	if rules["suppression"] != 2 || rules["MOD002"] == 0 {
		t.Fatalf("the workspace does not find what the test needs: %v\n%s", rules, wantJSON)
	}

	// Every package of the tree, as go list sees it.
	list := exec.Command("go", "list", "./...")
	list.Dir = ws
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	all := strings.Fields(string(out))

	shardFiles := map[int][]string{}
	for _, n := range []int{1, 2, 3} {
		owner := map[string]int{}
		var files []string
		for k := 1; k <= n; k++ {
			code, stdout, stderr := modlsProcess(t, ws, cachetest.Seeded(t), append(check, "--shard", fmt.Sprintf("%d/%d", k, n), "--format", "json")...)
			var part shardOutput
			if err := json.Unmarshal([]byte(stdout), &part); err != nil || part.Shard == nil {
				t.Fatalf("shard %d/%d: exit %d, not a shard's output (%v):\n%s%s", k, n, code, err, stdout, stderr)
			}
			if want := min(len(part.Diagnostics), 1); code != want {
				t.Errorf("shard %d/%d: exit %d with %d findings, want %d", k, n, code, len(part.Diagnostics), want)
			}
			if part.Shard.K != k || part.Shard.N != n {
				t.Errorf("shard %d/%d says it is %d/%d", k, n, part.Shard.K, part.Shard.N)
			}
			for _, p := range part.Shard.Packages {
				if prev, ok := owner[p]; ok {
					t.Errorf("N=%d: %s is in shard %d and shard %d", n, p, prev, k)
				}
				owner[p] = k
			}
			// A shard's findings are its packages'.
			for _, d := range part.Diagnostics {
				dir := "example.com/violations"
				if i := strings.LastIndex(d.File, "/"); i >= 0 {
					dir += "/" + d.File[:i]
				}
				if d.Rule != "compile" && owner[dir] != k {
					t.Errorf("shard %d/%d reports %s of package %s, in shard %d", k, n, d.File, dir, owner[dir])
				}
			}
			name := filepath.Join(t.TempDir(), fmt.Sprintf("shard-%d-of-%d.json", k, n))
			if err := os.WriteFile(name, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
		}
		got := make([]string, 0, len(owner))
		for p := range owner {
			got = append(got, p)
		}
		slices.Sort(got)
		if !slices.Equal(got, all) {
			t.Errorf("N=%d: the shards check\n%v\nwant every package:\n%v", n, got, all)
		}
		shardFiles[n] = files
		// The files in any order.
		slices.Reverse(files)
		for format, want := range map[string]string{"json": wantJSON, "sarif": wantSARIF} {
			code, stdout, stderr := modlsProcess(t, ws, cachetest.Seeded(t), append([]string{"merge", "--format", format}, files...)...)
			if code != 1 || stderr != "" {
				t.Errorf("merge --format %s of %d shards: exit %d, want 1\n%s", format, n, code, stderr)
			}
			if stdout != want {
				t.Errorf("merge --format %s of %d shards differs from the unsharded check:\n%s\nwant:\n%s", format, n, stdout, want)
			}
		}
	}

	// Bad input: one line, exit 2, nothing on standard output.
	three := shardFiles[3]
	notJSON := filepath.Join(ws, "go.mod")
	sarif := filepath.Join(t.TempDir(), "modls.sarif")
	unsharded := filepath.Join(t.TempDir(), "whole.json")
	twoDocs := filepath.Join(t.TempDir(), "two.json")
	empty := filepath.Join(t.TempDir(), "empty.json")
	for name, data := range map[string]string{sarif: wantSARIF, unsharded: wantJSON, twoDocs: wantJSON + wantJSON, empty: ""} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A shard of the tree after an edit is of another run.
	editFile(t, filepath.Join(ws, "modules/standard/racks/module.go"), 0, "// one more line")
	_, edited, _ := modlsProcess(t, ws, cachetest.Seeded(t), append(check, "--shard", "3/3", "--format", "json")...)
	other := filepath.Join(t.TempDir(), "edited.json")
	if err := os.WriteFile(other, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{three[:2], "is missing"},
		{append(slices.Clone(three), three[0]), "given twice"},
		{append(slices.Clone(three), shardFiles[2][0]), "the same N"},
		{[]string{three[0], three[1], other}, "another run"},
		{[]string{three[0], three[1], filepath.Join(ws, "none.json")}, "no such file"},
		{[]string{notJSON}, "not the --format json output"},
		{[]string{twoDocs}, "more than one document"},
		{[]string{three[0], three[1], empty}, "printed nothing"},
		{[]string{sarif}, "a SARIF log"},
		{[]string{unsharded}, "unsharded check"},
		{nil, "no files"},
		{[]string{"--format", "text", three[0]}, "unknown format"},
	} {
		code, stdout, stderr := modlsProcess(t, ws, cachetest.Seeded(t), append([]string{"merge"}, tc.files...)...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "modls merge: ") || !strings.Contains(stderr, tc.want) {
			t.Errorf("merge %v: exit %d, stdout %q, stderr %q; want exit 2 and one line saying %q", tc.files, code, stdout, stderr, tc.want)
		}
	}
}

// TestShardMergeClean: the shards of a tree without findings exit 0, those
// left without packages (more shards than packages) too, and so does
// their merge, which prints what the unsharded check prints.
func TestShardMergeClean(t *testing.T) {
	cachetest.Use(t)
	app := filepath.Join(repoRoot(t), "examples", "app")
	code, want, stderr := modlsProcess(t, app, cachetest.Seeded(t), "check", "--format", "json")
	if code != 0 {
		t.Fatalf("unsharded: exit %d\n%s", code, stderr)
	}
	const n = 9 // the application has 7 packages
	var files []string
	seen := map[string]bool{}
	for k := 1; k <= n; k++ {
		code, stdout, stderr := modlsProcess(t, app, cachetest.Seeded(t), "check", "--shard", fmt.Sprintf("%d/%d", k, n), "--format", "json")
		var part shardOutput
		if err := json.Unmarshal([]byte(stdout), &part); code != 0 || err != nil || part.Shard == nil {
			t.Fatalf("shard %d/%d: exit %d (%v)\n%s%s", k, n, code, err, stdout, stderr)
		}
		for _, p := range part.Shard.Packages {
			if seen[p] {
				t.Errorf("%s is in two shards", p)
			}
			seen[p] = true
		}
		name := filepath.Join(t.TempDir(), "shard.json")
		if err := os.WriteFile(name, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	if len(seen) != 7 {
		t.Errorf("the shards check %d packages, want the application's 7", len(seen))
	}
	code, stdout, stderr := modlsProcess(t, app, cachetest.Seeded(t), append([]string{"merge"}, files...)...)
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("merge: exit %d, stderr %q, output:\n%s\nwant exit 0 and:\n%s", code, stderr, stdout, want)
	}
}
