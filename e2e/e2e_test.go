// Package e2e drives `modls serve` with two real editor clients that this
// project does not write: headless Neovim with its built-in LSP client
// (nvim/e2e.lua) and a Node script on VS Code's client libraries
// vscode-languageserver-protocol and vscode-jsonrpc (node/e2e.js).
//
// Each test builds modls, copies examples/violations into a temporary
// workspace and runs one client through the same editor session: open
// modules/standard/ledger/service.go, see MOD002 on Sum, apply "Add
// ServiceMethod entries" (an edit of module.go), see MOD002 go, list the
// code lenses of module.go and run "validate module". The client records
// what it saw in a JSON file; the test asserts on it.
//
// The tools come from PATH (nvim, node) and e2e/node/node_modules (npm ci).
// When one is missing the test is skipped, except under CI=true, where it
// fails naming the install step.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/modls/modls/internal/testbin"
)

// The session every client plays, on examples/violations.
const (
	openFile    = "modules/standard/ledger/service.go"
	wantCode    = "MOD002"
	wantMessage = "exported method Sum has no ServiceMethod entry"
	fixTitle    = "Add ServiceMethod entries"
	fixFile     = "modules/standard/ledger/module.go"
	// fixContains is in the entry the fix adds: the first sentence of
	// Sum's doc comment as its Description.
	fixContains = `Description: "Sum returns the sum of every entry`
	lensFile    = "modules/standard/ledger/module.go"
	lensTitle   = "validate module"
)

// fixEntry matches the ServiceMethod entry for Sum in the fixed file.
var fixEntry = regexp.MustCompile(`framework\.ServiceMethod\{\s*Name:\s+"Sum",`)

// scenario is the file both clients read.
type scenario struct {
	Server        []string `json:"server"`
	Root          string   `json:"root"`
	File          string   `json:"file"`
	Diagnostic    wantDiag `json:"diagnostic"`
	Fix           wantFix  `json:"fix"`
	ExpectCleared bool     `json:"expectCleared"`
	Lens          wantLens `json:"lens"`
	Out           string   `json:"out"`
	TimeoutMs     int      `json:"timeoutMs"`
	WaitMs        int      `json:"waitMs"`
	// CommandOutcomeMs bounds the wait for the command's message after
	// its answer; ExitMs the server's shutdown and exit.
	CommandOutcomeMs int `json:"commandOutcomeMs"`
	ExitMs           int `json:"exitMs"`
}

type wantDiag struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Source  string `json:"source"`
}

type wantFix struct {
	Title    string `json:"title"`
	File     string `json:"file"`
	Contains string `json:"contains"`
}

type wantLens struct {
	File  string `json:"file"`
	Title string `json:"title"`
}

// outcome is what a client recorded.
type outcome struct {
	Client string `json:"client"`
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Checks []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
	Diagnostics []struct {
		Code    any    `json:"code"`
		Source  string `json:"source"`
		Message string `json:"message"`
	} `json:"diagnostics"`
	CodeActions []struct {
		Title string `json:"title"`
		Kind  string `json:"kind"`
	} `json:"codeActions"`
	FixedText  string `json:"fixedText"`
	CodeLenses []struct {
		Title   string `json:"title"`
		Command string `json:"command"`
	} `json:"codeLenses"`
	CommandError    string          `json:"commandError"`
	CommandResult   json.RawMessage `json:"commandResult"`
	CommandMessages []struct {
		Message string `json:"message"`
	} `json:"commandMessages"`
	Stderr string `json:"stderr"`
}

func TestNeovim(t *testing.T) {
	t.Parallel()
	nvim := tool(t, "nvim", "apt-get install -y neovim")
	script, err := filepath.Abs(filepath.Join("nvim", "e2e.lua"))
	if err != nil {
		t.Fatal(err)
	}
	runClient(t, func(ctx context.Context, scenarioFile string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n",
			"-c", "luafile "+script)
		cmd.Env = append(os.Environ(), "MODLS_E2E_SCENARIO="+scenarioFile)
		return cmd
	})
}

func TestNode(t *testing.T) {
	t.Parallel()
	node := tool(t, "node", "apt-get install -y nodejs (Node 18 or later)")
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"vscode-languageserver-protocol", "vscode-jsonrpc"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			missing(t, fmt.Sprintf("e2e/node/node_modules/%s is missing: run npm ci in e2e/node (.ci/run does)", pkg))
		}
	}
	runClient(t, func(ctx context.Context, scenarioFile string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "e2e.js"), scenarioFile)
		cmd.Dir = dir
		return cmd
	})
}

// runClient prepares a workspace, runs the client made by newCmd on it and
// checks what the client recorded.
func runClient(t *testing.T, newCmd func(ctx context.Context, scenarioFile string) *exec.Cmd) {
	modls := buildModls(t)
	root := workspaceCopy(t)
	tmp := t.TempDir()
	logFile := filepath.Join(tmp, "modls.log")
	sc := scenario{
		Server:           []string{modls, "serve", "--logfile", logFile},
		Root:             root,
		File:             openFile,
		Diagnostic:       wantDiag{Code: wantCode, Message: wantMessage, Source: "modls"},
		Fix:              wantFix{Title: fixTitle, File: fixFile, Contains: fixContains},
		ExpectCleared:    true,
		Lens:             wantLens{File: lensFile, Title: lensTitle},
		Out:              filepath.Join(tmp, "outcome.json"),
		TimeoutMs:        150_000,
		WaitMs:           60_000,
		CommandOutcomeMs: 60_000,
		ExitMs:           30_000,
	}
	scenarioFile := writeScenario(t, tmp, sc)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := newCmd(ctx, scenarioFile)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	// A modls cache of its own, so the run starts cold and leaves nothing
	// behind, and XDG directories of its own, so that no user configuration
	// takes part and Neovim's lsp.log (the server's stderr) is ours to show.
	// The go command keeps the user's build cache (it would otherwise move
	// with XDG_CACHE_HOME and start cold).
	modlsCache := filepath.Join(tmp, "modls-cache")
	cmd.Env = append(cmd.Env, clientEnv(t, tmp)...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()

	defer func() {
		if t.Failed() {
			t.Logf("client output:\n%s", tail(output.String(), 4000))
			for _, f := range []string{
				logFile,
				filepath.Join(tmp, "cache", "nvim", "lsp.log"),
				filepath.Join(tmp, "state", "nvim", "lsp.log"),
			} {
				if log, err := os.ReadFile(f); err == nil {
					t.Logf("%s:\n%s", filepath.Base(f), tail(string(log), 8000))
				}
			}
		}
	}()
	raw, err := os.ReadFile(sc.Out)
	if err != nil {
		t.Fatalf("the client wrote no outcome (%v): %v", runErr, err)
	}
	var got outcome
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("outcome file: %v\n%s", err, raw)
	}
	t.Logf("client: %s", got.Client)
	for _, c := range got.Checks {
		if c.OK {
			t.Logf("ok   %s %s", c.Name, c.Detail)
		} else {
			t.Errorf("FAIL %s: %s", c.Name, c.Detail)
		}
	}
	if got.Error != "" {
		t.Errorf("client error: %s", got.Error)
	}
	if got.Stderr != "" && t.Failed() {
		t.Logf("server stderr:\n%s", tail(got.Stderr, 4000))
	}

	// The server kept its cache where MODLS_CACHE said, and nothing in
	// what stands for the user's cache directory.
	if st, err := os.Stat(modlsCache); err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		t.Errorf("the server did not use MODLS_CACHE=%s: %v", modlsCache, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "cache", "modls")); err == nil {
		t.Errorf("the server wrote its cache in the user's cache directory %s", filepath.Join(tmp, "cache", "modls"))
	}

	// The same facts, asserted here on the recorded data.
	if !hasDiagnostic(got, wantCode, wantMessage, "modls") {
		t.Errorf("no %s %q with source modls among the published diagnostics %+v", wantCode, wantMessage, got.Diagnostics)
	}
	if !hasAction(got, fixTitle, "quickfix") {
		t.Errorf("no quickfix %q among the code actions %+v", fixTitle, got.CodeActions)
	}
	if !fixEntry.MatchString(got.FixedText) {
		t.Errorf("after %q, %s has no ServiceMethod entry for Sum:\n%s", fixTitle, fixFile, got.FixedText)
	}
	if !hasLens(got, lensTitle) {
		t.Errorf("no code lens %q among %+v", lensTitle, got.CodeLenses)
	}
	if got.CommandError != "" {
		t.Errorf("executeCommand %q: %s", lensTitle, got.CommandError)
	} else if isNull(got.CommandResult) && len(got.CommandMessages) == 0 {
		t.Errorf("executeCommand %q: neither a result nor a message to the user", lensTitle)
	} else if !mentions(got, "standard.ledger") {
		t.Errorf("the outcome of %q does not name the module standard.ledger: result %s, messages %+v",
			lensTitle, got.CommandResult, got.CommandMessages)
	}
	if runErr != nil && !t.Failed() {
		t.Errorf("client exited with %v though every check passed", runErr)
	}
	if !got.OK && !t.Failed() {
		t.Errorf("the client reports a failure that no check names")
	}
}

// writeScenario writes the scenario a client reads into tmp.
func writeScenario(t *testing.T, tmp string, sc any) string {
	t.Helper()
	data, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	scenarioFile := filepath.Join(tmp, "scenario.json")
	if err := os.WriteFile(scenarioFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return scenarioFile
}

// clientEnv is the environment a client runs in, beside the process's:
// the user's build cache, a modls cache in tmp (modls-cache) and XDG
// directories of its own there.
func clientEnv(t *testing.T, tmp string) []string {
	return []string{
		"GOCACHE=" + goEnv(t, "GOCACHE"),
		"MODLS_CACHE=" + filepath.Join(tmp, "modls-cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(tmp, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"),
		"XDG_STATE_HOME=" + filepath.Join(tmp, "state"),
		"XDG_DATA_HOME=" + filepath.Join(tmp, "data"),
	}
}

func hasDiagnostic(o outcome, code, message, source string) bool {
	for _, d := range o.Diagnostics {
		if fmt.Sprint(d.Code) == code && d.Message == message && d.Source == source {
			return true
		}
	}
	return false
}

func hasAction(o outcome, title, kind string) bool {
	for _, a := range o.CodeActions {
		if a.Title == title && a.Kind == kind {
			return true
		}
	}
	return false
}

func hasLens(o outcome, title string) bool {
	for _, l := range o.CodeLenses {
		if strings.Contains(l.Title, title) && l.Command != "" {
			return true
		}
	}
	return false
}

// mentions reports whether the command's result or a message it showed
// contains s.
func mentions(o outcome, s string) bool {
	if strings.Contains(string(o.CommandResult), s) {
		return true
	}
	for _, m := range o.CommandMessages {
		if strings.Contains(m.Message, s) {
			return true
		}
	}
	return false
}

func isNull(m json.RawMessage) bool {
	s := strings.TrimSpace(string(m))
	return s == "" || s == "null"
}

// tool is the path of an executable on PATH, or a skip (a failure in CI)
// naming how to install it.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("%s is not on PATH: %s (.ci/run does)", name, install))
	}
	return p
}

// missing skips the test, or fails it when CI=true: CI must run it.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// buildModls returns the modls binary the tests run.
func buildModls(t *testing.T) string { return testbin.Modls(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// goEnv is a go env variable as this process's go command sees it.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// workspaceCopy copies examples/violations into a temporary directory and
// points its replace directive at this repository, so that the copy builds
// against the framework as it is here.
func workspaceCopy(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", "violations")
	dst := filepath.Join(t.TempDir(), "violations")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying examples/violations: %v", err)
	}
	gomod := filepath.Join(dst, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddReplace("github.com/modls/modls", "", repoRoot(t), ""); err != nil {
		t.Fatal(err)
	}
	out, err := f.Format()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gomod, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
