package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// The navigation session both clients play on examples/violations: a
// request of every navigation feature at a place found by its text, then
// the rename applied by the client.

// navRequest is one request the client sends; Open lists files it opens
// first, Apply says the result is a workspace edit to apply, after which
// the client records the text of the files in Read.
type navRequest struct {
	Name   string         `json:"name"`
	Method string         `json:"method"`
	Params map[string]any `json:"params"`
	Open   []string       `json:"open,omitempty"`
	Apply  bool           `json:"apply,omitempty"`
	Read   []string       `json:"read,omitempty"`
}

type navScenario struct {
	Server   []string     `json:"server"`
	Root     string       `json:"root"`
	Out      string       `json:"out"`
	WaitMs   int          `json:"waitMs"`
	ExitMs   int          `json:"exitMs"`
	Requests []navRequest `json:"requests"`
}

type navOutcome struct {
	Client  string `json:"client"`
	Error   string `json:"error"`
	Results []struct {
		Name   string            `json:"name"`
		Result json.RawMessage   `json:"result"`
		Error  string            `json:"error"`
		Texts  map[string]string `json:"texts"`
	} `json:"results"`
}

func TestNavigationNeovim(t *testing.T) {
	t.Parallel()
	nvim := tool(t, "nvim", "apt-get install -y neovim")
	script, err := filepath.Abs(filepath.Join("nvim", "nav.lua"))
	if err != nil {
		t.Fatal(err)
	}
	runNavigation(t, func(ctx context.Context, scenarioFile string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile "+script)
		cmd.Env = append(os.Environ(), "MODLS_E2E_SCENARIO="+scenarioFile)
		return cmd
	})
}

func TestNavigationNode(t *testing.T) {
	t.Parallel()
	node := tool(t, "node", "apt-get install -y nodejs (Node 18 or later)")
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "vscode-languageserver-protocol", "package.json")); err != nil {
		missing(t, "e2e/node/node_modules is missing: run npm ci in e2e/node (.ci/run does)")
	}
	runNavigation(t, func(ctx context.Context, scenarioFile string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "nav.js"), scenarioFile)
		cmd.Dir = dir
		return cmd
	})
}

const (
	trackerModule   = "modules/standard/tracker/module.go"
	trackerService  = "modules/standard/tracker/service.go"
	trackerManifest = "modules/standard/tracker/manifest.json"
	billingModule   = "modules/standard/billing/module.go"
)

func runNavigation(t *testing.T, newCmd func(ctx context.Context, scenarioFile string) *exec.Cmd) {
	modls := buildModls(t)
	root := workspaceCopy(t)
	tmp := t.TempDir()
	// at is the position (UTF-16, as both clients count) of the first
	// occurrence of marker in file, shifted by shift bytes.
	at := func(file, marker string, shift int) map[string]any {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(string(data), marker)
		if i < 0 {
			t.Fatalf("%s has no %q", file, marker)
		}
		off := i + shift
		line := strings.Count(string(data[:off]), "\n")
		start := strings.LastIndexByte(string(data[:off]), '\n') + 1
		char := 0
		for _, r := range string(data[start:off]) {
			char += len(utf16.Encode([]rune{r}))
		}
		return map[string]any{"textDocument": map[string]any{"uri": fileURI(filepath.Join(root, file))}, "position": map[string]any{"line": line, "character": char}}
	}
	with := func(p map[string]any, k string, v any) map[string]any { p[k] = v; return p }
	sc := navScenario{
		Server: []string{modls, "serve", "--logfile", filepath.Join(tmp, "modls.log")},
		Root:   root, Out: filepath.Join(tmp, "outcome.json"), WaitMs: 60_000, ExitMs: 30_000,
		Requests: []navRequest{
			{Name: "hover", Method: "textDocument/hover", Params: at(trackerModule, `"billing.invoices")`, 3), Open: []string{trackerModule}},
			{Name: "definition", Method: "textDocument/definition", Params: at(trackerModule, `"billing.invoices")`, 3)},
			{Name: "references", Method: "textDocument/references", Params: with(at(trackerService, "FROM tracker_events ORDER", 7), "context", map[string]any{"includeDeclaration": true}), Open: []string{trackerService}},
			{Name: "completion", Method: "textDocument/completion", Params: at(trackerModule, `"billing.invoices")`, 1)},
			{Name: "documentSymbol", Method: "textDocument/documentSymbol", Params: map[string]any{"textDocument": map[string]any{"uri": fileURI(filepath.Join(root, trackerManifest))}}, Open: []string{trackerManifest}},
			{Name: "workspaceSymbol", Method: "workspace/symbol", Params: map[string]any{"query": "tracker"}},
			{Name: "prepareRename", Method: "textDocument/prepareRename", Params: at(trackerModule, `"tracker.events"`, 3)},
			{Name: "rename", Method: "textDocument/rename", Params: with(at(trackerModule, `"tracker.events"`, 3), "newName", "tracker.usage"), Apply: true, Read: []string{trackerModule, trackerManifest}},
		},
	}
	scenarioFile := writeScenario(t, tmp, sc)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := newCmd(ctx, scenarioFile)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, clientEnv(t, tmp)...)
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	raw, err := os.ReadFile(sc.Out)
	if err != nil {
		t.Fatalf("the client wrote no outcome (%v): %v\n%s", runErr, err, tail(output.String(), 4000))
	}
	var got navOutcome
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("outcome: %v\n%s", err, raw)
	}
	t.Logf("client: %s", got.Client)
	if got.Error != "" {
		t.Fatalf("client error: %s\n%s", got.Error, tail(output.String(), 4000))
	}
	results := map[string]json.RawMessage{}
	texts := map[string]string{}
	for _, r := range got.Results {
		if r.Error != "" {
			t.Errorf("%s: %s", r.Name, r.Error)
		}
		results[r.Name] = r.Result
		for k, v := range r.Texts {
			texts[k] = v
		}
	}
	uriOf := func(rel string) string { return fileURI(filepath.Join(root, rel)) }
	var hover struct{ Contents struct{ Value string } }
	decode(t, results["hover"], &hover)
	if !strings.Contains(hover.Contents.Value, "provided by `standard.billing`") || !strings.Contains(hover.Contents.Value, "`standard.tracker` declares the dependency") {
		t.Errorf("hover on billing.invoices: %q", hover.Contents.Value)
	}
	type location struct {
		URI   string
		Range struct{ Start struct{ Line, Character int } }
	}
	var defs []location
	decode(t, results["definition"], &defs)
	if len(defs) != 1 || defs[0].URI != uriOf(billingModule) {
		t.Errorf("definition of billing.invoices: %+v, want its registration in %s", defs, billingModule)
	}
	var refs []location
	decode(t, results["references"], &refs)
	files := map[string]int{}
	for _, r := range refs {
		files[strings.TrimPrefix(r.URI, uriOf("modules/standard/tracker")+"/")]++
	}
	if files["schema.go"] < 2 || files["service.go"] < 4 || files["api.go"] != 1 {
		t.Errorf("references of tracker_events by file: %v", files)
	}
	var completion struct {
		Items []struct{ Label, SortText string }
	}
	decode(t, results["completion"], &completion)
	first := ""
	for _, it := range completion.Items {
		if it.Label == "billing.invoices" {
			first = it.SortText
		}
	}
	if !strings.HasPrefix(first, "0") {
		t.Errorf("completion in a lookup: billing.invoices is not among the first of %+v", completion.Items)
	}
	var syms []struct {
		Name     string
		Children []struct{ Name string }
	}
	decode(t, results["documentSymbol"], &syms)
	if fmt.Sprint(syms) == "" || !strings.Contains(fmt.Sprint(syms), "{dependencies [{standard.billing} {core.database}]}") {
		t.Errorf("document symbols of the manifest: %+v", syms)
	}
	var wsyms []struct{ Name string }
	decode(t, results["workspaceSymbol"], &wsyms)
	if !strings.Contains(fmt.Sprint(wsyms), "{tracker.events}") || !strings.Contains(fmt.Sprint(wsyms), "{tracker_events}") {
		t.Errorf("workspace symbols for tracker: %+v", wsyms)
	}
	var prep struct{ Placeholder string }
	decode(t, results["prepareRename"], &prep)
	if prep.Placeholder != "tracker.events" {
		t.Errorf("prepareRename: %s", results["prepareRename"])
	}
	if m := texts[trackerManifest]; !strings.Contains(m, `"services": ["tracker.usage"]`) {
		t.Errorf("after the rename, %s reads:\n%s", trackerManifest, m)
	}
	if m := texts[trackerModule]; !strings.Contains(m, `s.RegisterService("tracker.usage", m.svc`) {
		t.Errorf("after the rename, %s does not register tracker.usage", trackerModule)
	}
	if runErr != nil && !t.Failed() {
		t.Errorf("client exited with %v", runErr)
	}
	if t.Failed() {
		t.Logf("client output:\n%s", tail(output.String(), 4000))
		if log, err := os.ReadFile(filepath.Join(tmp, "modls.log")); err == nil {
			t.Logf("modls.log:\n%s", tail(string(log), 6000))
		}
	}
}

func decode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Errorf("%s: %v", raw, err)
	}
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
