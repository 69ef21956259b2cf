// Package editors tests the editor integrations in editors/: the VS Code
// extension (type-check, unit tests, .vsix) and the Neovim plugin, driven
// in headless Neovim against a real `modls serve`.
//
// A missing node, npm or nvim skips a test, except under CI=true, where it
// fails: CI must run them (.ci/run installs them).
package editors

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/internal/nodedeps"
	"github.com/modls/modls/internal/proctest"
	"github.com/modls/modls/internal/testbin"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// tool is the path of an executable on PATH, or a skip (a failure in CI).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " not found on PATH; .ci/run installs it"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
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

func TestVSCodeExtension(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the extension build takes a while")
	}
	tool(t, "node")
	npm := tool(t, "npm")
	dir := filepath.Join(repoRoot(t), "editors", "vscode")
	env := []string{"npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false"}
	// As locked: make test's node-deps step installs them, and npm ci
	// here again would rewrite them to no purpose.
	nodedeps.Ensure(t, npm, dir, env)
	run(t, dir, env, npm, "run", "typecheck")
	out := run(t, dir, env, npm, "test")
	if !regexp.MustCompile(`(?m)^# fail 0$`).MatchString(out) || !regexp.MustCompile(`(?m)^# pass [1-9]`).MatchString(out) {
		t.Fatalf("npm test did not report passing tests:\n%s", out)
	}
	vsix := filepath.Join(dir, "modls.vsix")
	os.Remove(vsix)
	run(t, dir, env, npm, "run", "package")
	st, err := os.Stat(vsix)
	if err != nil {
		t.Fatalf("npm run package made no .vsix: %v", err)
	}
	if st.Size() < 10<<10 {
		t.Errorf("%s is %d bytes: too small to hold the bundle", vsix, st.Size())
	}
}

// modlsBin returns the directory of the modls binary, for PATH.
func modlsBin(t *testing.T) string { return testbin.Dir(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// violations copies examples/violations to a temporary directory, with
// its replace directive pointing at the repository.
func violations(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	ws := filepath.Join(t.TempDir(), "violations")
	if err := os.CopyFS(ws, os.DirFS(filepath.Join(root, "examples", "violations"))); err != nil {
		t.Fatal(err)
	}
	gomod := filepath.Join(ws, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	fixed := regexp.MustCompile(`(?m)^replace github.com/modls/modls => .*$`).ReplaceAll(data, []byte("replace github.com/modls/modls => "+root))
	if bytes.Equal(fixed, data) {
		t.Fatal("examples/violations/go.mod has no replace directive for github.com/modls/modls")
	}
	if err := os.WriteFile(gomod, fixed, 0o644); err != nil {
		t.Fatal(err)
	}
	return ws
}

// goEnv is what go(1) needs under another HOME: the module and build
// caches of the machine, so that nothing is downloaded or rebuilt.
func goEnv(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOPATH", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		t.Fatalf("go env printed %q", out)
	}
	return []string{"GOPATH=" + v[0], "GOMODCACHE=" + v[1], "GOCACHE=" + v[2]}
}

// nvimEnv isolates Neovim from the user's configuration and state and puts
// the built modls first on PATH.
func nvimEnv(t *testing.T, bin, home string) []string {
	return append(goEnv(t),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"MODLS_CACHE="+filepath.Join(home, "modls-cache"),
	)
}

func runNvim(t *testing.T, dir string, env []string, args ...string) ([]byte, error) {
	t.Helper()
	nvim := tool(t, "nvim")
	cmd := exec.Command(nvim, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = nil
	// nvim and the language servers it starts, in a process group of
	// their own: nvim does not wait for its servers to exit, and one still
	// writing its cache in the test's directories would fail their
	// removal.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() {
		out, err = cmd.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(4 * time.Minute):
		cmd.Process.Kill()
		<-done
		proctest.EndGroup(t, cmd.Process.Pid)
		t.Fatalf("nvim did not finish in 4 minutes\n%s", out)
	}
	proctest.EndGroup(t, cmd.Process.Pid)
	return out, err
}

type acceptance struct {
	OK     bool `json:"ok"`
	Checks []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
		Ms     int    `json:"ms"`
	} `json:"checks"`
	QuickfixCount int            `json:"quickfix_count"`
	QuickfixRules map[string]int `json:"quickfix_rules"`
	Lenses        []string       `json:"lenses"`
	Error         string         `json:"error"`
}

// TestNeovimPlugin runs editors/nvim/test/acceptance.lua: diagnostics, the
// MOD002 quick fix, code lenses, :ModlsCheck and :ModlsRestart.
func TestNeovimPlugin(t *testing.T) {
	tool(t, "nvim")
	bin := modlsBin(t)
	root := repoRoot(t)
	ws := violations(t)
	home := t.TempDir()
	outFile := filepath.Join(t.TempDir(), "result.json")
	env := append(nvimEnv(t, bin, home), "MODLS_TEST_WORKSPACE="+ws, "MODLS_TEST_OUT="+outFile)
	out, err := runNvim(t, ws, env, "--headless", "-u", "NONE", "-i", "NONE", "-n",
		"--cmd", "set rtp+="+filepath.Join(root, "editors", "nvim"),
		"-c", "luafile "+filepath.Join(root, "editors", "nvim", "test", "acceptance.lua"))
	data, rerr := os.ReadFile(outFile)
	if rerr != nil {
		t.Fatalf("no result from the Neovim script (nvim: %v):\n%s", err, out)
	}
	var res acceptance
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("result: %v\n%s", err, data)
	}
	for _, c := range res.Checks {
		if c.OK {
			t.Logf("ok   %-45s %6d ms", c.Name, c.Ms)
		} else {
			t.Errorf("FAIL %s: %s", c.Name, c.Detail)
		}
	}
	if res.Error != "" {
		t.Errorf("script error: %s", res.Error)
	}
	if !res.OK || err != nil {
		t.Fatalf("nvim exit: %v; output:\n%s", err, out)
	}

	// The quickfix list holds exactly what modls check reports.
	cmd := exec.Command(filepath.Join(bin, "modls"), "check", "--format", "json", "./...")
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "MODLS_CACHE="+filepath.Join(home, "modls-cache"))
	stdout, _ := cmd.Output()
	var check struct {
		Diagnostics []struct {
			Rule string `json:"rule"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(stdout, &check); err != nil {
		t.Fatalf("modls check --format json: %v\n%s", err, stdout)
	}
	want := map[string]int{}
	for _, d := range check.Diagnostics {
		want[d.Rule]++
	}
	if res.QuickfixCount != len(check.Diagnostics) {
		t.Errorf("quickfix list has %d entries, modls check reports %d", res.QuickfixCount, len(check.Diagnostics))
	}
	for rule, n := range want {
		if res.QuickfixRules[rule] != n {
			t.Errorf("quickfix list has %d %s entries, modls check reports %d", res.QuickfixRules[rule], rule, n)
		}
	}
}

// readmeSnippet is the first ```lua block under the README's "### Neovim"
// heading.
func readmeSnippet(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "\n### Neovim\n")
	if i < 0 {
		t.Fatal(`README.md has no "### Neovim" section`)
	}
	section := text[i+1:]
	if j := strings.Index(section[1:], "\n## "); j >= 0 {
		section = section[:j+1]
	}
	if j := strings.Index(section[1:], "\n### "); j >= 0 {
		section = section[:j+1]
	}
	m := regexp.MustCompile("(?s)\n```lua\n(.*?)\n```\n").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("README.md's Neovim section has no ```lua block")
	}
	return m[1] + "\n"
}

// TestNeovimREADME follows the README's Neovim instructions word for word:
// the repository cloned to ~/src/modls, modls on PATH, the README's snippet
// as init.lua. Opening a violating file must show modls's diagnostics and
// no message at all (:messages).
func TestNeovimREADME(t *testing.T) {
	tool(t, "nvim")
	snippet := readmeSnippet(t)
	bin := modlsBin(t)
	ws := violations(t)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(repoRoot(t), filepath.Join(home, "src", "modls")); err != nil {
		t.Fatal(err)
	}
	initLua := filepath.Join(home, ".config", "nvim", "init.lua")
	if err := os.MkdirAll(filepath.Dir(initLua), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(initLua, []byte(snippet), 0o644); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(t.TempDir(), "result.json")
	file := filepath.Join(ws, "modules", "standard", "ledger", "service.go")
	env := append(nvimEnv(t, bin, home), "MODLS_TEST_FILE="+file, "MODLS_TEST_OUT="+outFile)
	// No -u: Neovim reads ~/.config/nvim/init.lua as a newcomer's would.
	out, err := runNvim(t, ws, env, "--headless", "-i", "NONE", "-n",
		"-c", "luafile "+filepath.Join(repoRoot(t), "editors", "nvim", "test", "readme.lua"))
	data, rerr := os.ReadFile(outFile)
	if rerr != nil {
		t.Fatalf("no result (nvim: %v):\n%s", err, out)
	}
	var res struct {
		Filetype    string   `json:"filetype"`
		Diagnostics []string `json:"diagnostics"`
		Messages    []string `json:"messages"`
		Error       string   `json:"error"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("result: %v\n%s", err, data)
	}
	if res.Error != "" {
		t.Fatalf("script error: %s\n%s", res.Error, out)
	}
	found := false
	for _, d := range res.Diagnostics {
		if strings.HasPrefix(d, "54 modls MOD002 ") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no MOD002 diagnostic at line 54 with the README's setup (filetype %q); diagnostics: %q\nsnippet:\n%s\nnvim output:\n%s", res.Filetype, res.Diagnostics, snippet, out)
	}
	// A newcomer following the README sees nothing but the diagnostics:
	// every message Neovim showed (an error from the server, the plugin
	// or Neovim itself) fails the test.
	if len(res.Messages) > 0 {
		t.Fatalf("Neovim showed messages with the README's setup:\n%s\nsnippet:\n%s", strings.Join(res.Messages, "\n"), snippet)
	}
}

// TestNeovimBesideGopls runs editors/nvim/test/gopls.lua with a real
// gopls: modls's compile findings (type errors) are left to gopls while a
// gopls client serves the buffer (compile_errors = "auto"), and
// set_compile_errors forces them on or off.
func TestNeovimBesideGopls(t *testing.T) {
	tool(t, "nvim")
	gopls := tool(t, "gopls")
	bin := modlsBin(t)
	root := repoRoot(t)
	ws := violations(t)
	home := t.TempDir()
	outFile := filepath.Join(t.TempDir(), "result.json")
	file := filepath.Join(ws, "modules", "standard", "ledger", "service.go")
	env := append(nvimEnv(t, bin, home), "MODLS_TEST_FILE="+file, "MODLS_TEST_GOPLS="+gopls, "MODLS_TEST_OUT="+outFile)
	out, err := runNvim(t, ws, env, "--headless", "-u", "NONE", "-i", "NONE", "-n",
		"--cmd", "set rtp+="+filepath.Join(root, "editors", "nvim"),
		"-c", "luafile "+filepath.Join(root, "editors", "nvim", "test", "gopls.lua"))
	data, rerr := os.ReadFile(outFile)
	if rerr != nil {
		t.Fatalf("no result from the Neovim script (nvim: %v):\n%s", err, out)
	}
	var res struct {
		Checks []struct {
			Name   string `json:"name"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
			Ms     int    `json:"ms"`
		} `json:"checks"`
		Messages []string `json:"messages"`
		Error    string   `json:"error"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("result: %v\n%s", err, data)
	}
	for _, c := range res.Checks {
		if c.OK {
			t.Logf("ok   %-58s %6d ms", c.Name, c.Ms)
		} else {
			t.Errorf("FAIL %s; diagnostics seen:\n%s", c.Name, c.Detail)
		}
	}
	if res.Error != "" {
		t.Errorf("script error: %s", res.Error)
	}
	if n := len(res.Checks); n != 10 {
		t.Errorf("%d checks ran, want 10", n)
	}
	if len(res.Messages) > 0 {
		t.Errorf("Neovim showed messages:\n%s", strings.Join(res.Messages, "\n"))
	}
}

// TestNeovimHelp checks that :helptags indexes doc/modls.txt with the tags
// the plugin's commands and functions are documented under.
func TestNeovimHelp(t *testing.T) {
	tool(t, "nvim")
	doc := filepath.Join(t.TempDir(), "doc")
	if err := os.CopyFS(doc, os.DirFS(filepath.Join(repoRoot(t), "editors", "nvim", "doc"))); err != nil {
		t.Fatal(err)
	}
	out, err := runNvim(t, doc, []string{"HOME=" + t.TempDir()}, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "helptags "+doc, "-c", "qall!")
	if err != nil {
		t.Fatalf("helptags: %v\n%s", err, out)
	}
	tags, err := os.ReadFile(filepath.Join(doc, "tags"))
	if err != nil {
		t.Fatalf("helptags wrote no tags file: %v\n%s", err, out)
	}
	for _, tag := range []string{"modls", "modls.txt", ":ModlsCheck", ":ModlsIntegration", ":ModlsRestart", "modls.setup()", "modls.set_compile_errors()", "modls-gopls", "modls-lspconfig"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tag) + `\tmodls\.txt\t`).Match(tags) {
			t.Errorf("tag %s missing from the tags file:\n%s", tag, tags)
		}
	}
}
