package main

import (
	"bytes"
	"context"
	"encoding/json"
	"go/format"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modls/modls/checker/cachetest"
	"github.com/modls/modls/internal/testbin"
)

// runScaffold runs "modls scaffold args..." in-process from dir.
func runScaffold(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"scaffold"}, args...), env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Dir: dir})
	return code, out.String(), errOut.String()
}

// snapshot lists every path under dir with its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[filepath.ToSlash(rel)+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newApp returns an empty application directory inside a Go module
// example.com/app.
func newApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestScaffoldCommand_Run(t *testing.T) {
	existing := filepath.Join("modules", "standard", "reports")
	tests := []struct {
		name string
		args []string
		// setup prepares the application directory.
		setup    func(t *testing.T, dir string)
		noGoMod  bool
		wantCode int
		// wantErr is the whole of stderr without "modls scaffold: " and the
		// newline; "" means stderr must be empty.
		wantErr string
	}{
		{name: "missing name", args: []string{"--type", "standard"}, wantCode: 2, wantErr: "--name is required"},
		{name: "missing type", args: []string{"--name", "reports"}, wantCode: 2, wantErr: "--type is required"},
		{name: "no flags", args: nil, wantCode: 2, wantErr: "--name is required"},
		{name: "name with capitals", args: []string{"--name", "Reports", "--type", "standard"}, wantCode: 2,
			wantErr: `name "Reports" is not valid: want lowercase letters, digits and _, starting with a letter`},
		{name: "name with a dash", args: []string{"--name", "sales-reports", "--type", "standard"}, wantCode: 2,
			wantErr: `name "sales-reports" is not valid: want lowercase letters, digits and _, starting with a letter`},
		{name: "name starting with a digit", args: []string{"--name", "2fa", "--type", "standard"}, wantCode: 2,
			wantErr: `name "2fa" is not valid: want lowercase letters, digits and _, starting with a letter`},
		{name: "name is a keyword", args: []string{"--name", "func", "--type", "standard"}, wantCode: 2,
			wantErr: `name "func" is a Go keyword`},
		{name: "name is predeclared", args: []string{"--name", "string", "--type", "standard"}, wantCode: 2,
			wantErr: `name "string" would shadow Go's predeclared string`},
		{name: "name is framework", args: []string{"--name", "framework", "--type", "standard"}, wantCode: 2,
			wantErr: `name "framework" would clash with the framework's package in the application's main`},
		{name: "bad type", args: []string{"--name", "reports", "--type", "Std"}, wantCode: 2,
			wantErr: `type "Std" is not valid: want lowercase letters, digits and _, starting with a letter`},
		{name: "type is a keyword", args: []string{"--name", "reports", "--type", "package"}, wantCode: 2,
			wantErr: `type "package" is a Go keyword`},
		{name: "type core", args: []string{"--name", "reports", "--type", "core"}, wantCode: 2,
			wantErr: `type "core" is reserved for the framework's core modules`},
		{name: "unknown feature", args: []string{"--name", "reports", "--type", "standard", "--features", "api,web"}, wantCode: 2,
			wantErr: `unknown feature "web" (want api, database or settings)`},
		{name: "duplicate feature", args: []string{"--name", "reports", "--type", "standard", "--features", "api,database,api"}, wantCode: 2,
			wantErr: `feature "api" is listed twice`},
		{name: "empty feature", args: []string{"--name", "reports", "--type", "standard", "--features", "api,,database"}, wantCode: 2,
			wantErr: `feature list "api,,database" has an empty entry`},
		{name: "unknown flag", args: []string{"--name", "reports", "--type", "standard", "--force"}, wantCode: 2,
			wantErr: "flag provided but not defined: -force\nrun 'modls scaffold -h' for usage"},
		{name: "flag without value", args: []string{"--type", "standard", "--name"}, wantCode: 2,
			wantErr: "flag needs an argument: -name\nrun 'modls scaffold -h' for usage"},
		{name: "positional argument", args: []string{"--name", "reports", "--type", "standard", "extra"}, wantCode: 2,
			wantErr: `unexpected argument "extra"; scaffold takes flags only`},
		{name: "positional argument first", args: []string{"reports"}, wantCode: 2,
			wantErr: `unexpected argument "reports"; scaffold takes flags only`},
		{
			name: "existing module", args: []string{"--name", "reports", "--type", "standard"},
			setup: func(t *testing.T, dir string) {
				p := filepath.Join(dir, existing)
				if err := os.MkdirAll(p, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(p, "module.go"), []byte("package reports\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantCode: 1, wantErr: existing + " already exists",
		},
		{
			name: "existing empty directory", args: []string{"--name", "reports", "--type", "standard", "--dir", "app"},
			setup: func(t *testing.T, dir string) {
				if err := os.MkdirAll(filepath.Join(dir, "app", existing), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			wantCode: 1, wantErr: filepath.Join("app", existing) + " already exists",
		},
		{name: "missing application directory", args: []string{"--name", "reports", "--type", "standard", "--dir", "nope"}, wantCode: 1,
			wantErr: "application directory nope does not exist"},
		{name: "no go.mod", args: []string{"--name", "reports", "--type", "standard"}, noGoMod: true, wantCode: 1,
			wantErr: "no go.mod in {dir} or any directory above it; the application must be inside a Go module"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if !tc.noGoMod {
				dir = newApp(t)
			}
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			before := snapshot(t, dir)
			code, stdout, stderr := runScaffold(t, dir, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code %d; want %d", code, tc.wantCode)
			}
			want := "modls scaffold: " + strings.ReplaceAll(tc.wantErr, "{dir}", dir) + "\n"
			if stderr != want {
				t.Errorf("stderr = %q; want %q", stderr, want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q; want nothing", stdout)
			}
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("the directory changed:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

func TestScaffoldCommand_Help(t *testing.T) {
	for _, args := range [][]string{{"scaffold", "-h"}, {"help", "scaffold"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, env{Stdout: &out, Stderr: &errOut})
		if code != 0 || errOut.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 0 and nothing", args, code, errOut.String())
		}
		for _, part := range []string{"modls scaffold --name NAME --type TYPE", "-features", mainEntryPrefix + "NAME.New()", "Examples:"} {
			if !strings.Contains(out.String(), part) {
				t.Errorf("%q: help does not mention %q:\n%s", args, part, out.String())
			}
		}
	}
}

// entryRE matches the last line of the output: the module list entry and
// the import it needs.
var entryRE = regexp.MustCompile(`^` + regexp.QuoteMeta(mainEntryPrefix) + `([a-z][a-z0-9_]*)\.New\(\), // import ("[^"]+")$`)

// scaffoldOutput is the parsed output of a successful scaffold.
type scaffoldOutput struct {
	dir        string
	files      []string
	entry      string // reports.New(), // import "..."
	pkg        string
	importPath string
}

// parseOutput reads the documented output format: "created DIR (N
// files)", one indented line per file, and the line for main.
func parseOutput(t *testing.T, stdout string) scaffoldOutput {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	head := regexp.MustCompile(`^created (.+) \((\d+) files\)$`).FindStringSubmatch(lines[0])
	if head == nil {
		t.Fatalf("first line %q is not \"created DIR (N files)\"", lines[0])
	}
	n, _ := strconv.Atoi(head[2])
	if len(lines) != n+2 {
		t.Fatalf("output has %d lines; want %d:\n%s", len(lines), n+2, stdout)
	}
	out := scaffoldOutput{dir: head[1]}
	for _, l := range lines[1 : n+1] {
		f, ok := strings.CutPrefix(l, "  "+out.dir+string(filepath.Separator))
		if !ok {
			t.Fatalf("file line %q is not \"  DIR/FILE\"", l)
		}
		out.files = append(out.files, filepath.ToSlash(f))
	}
	m := entryRE.FindStringSubmatch(lines[n+1])
	if m == nil {
		t.Fatalf("last line %q does not match %s", lines[n+1], entryRE)
	}
	out.entry = strings.TrimPrefix(lines[n+1], mainEntryPrefix)
	out.pkg = m[1]
	out.importPath, _ = strconv.Unquote(m[2])
	return out
}

func TestScaffoldCommand_Output(t *testing.T) {
	dir := newApp(t)
	if err := os.Mkdir(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runScaffold(t, dir, "--name", "reports", "--type", "standard", "--dir", "app")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	out := parseOutput(t, stdout)
	if want := filepath.Join("app", "modules", "standard", "reports"); out.dir != want {
		t.Errorf("created %s; want %s", out.dir, want)
	}
	wantFiles := []string{"manifest.json", "module.go", "service.go", "api.go", "settings.go", "contract/contract.go", "reports_test.go", "reports_integration_test.go"}
	if !reflect.DeepEqual(out.files, wantFiles) {
		t.Errorf("files %q; want %q (the default features are api, database and settings)", out.files, wantFiles)
	}
	if out.pkg != "reports" || out.importPath != "example.com/app/app/modules/standard/reports" {
		t.Errorf("entry %q: package %q, import %q", out.entry, out.pkg, out.importPath)
	}
	for _, f := range out.files {
		if _, err := os.Stat(filepath.Join(dir, out.dir, f)); err != nil {
			t.Error(err)
		}
	}
	var man struct {
		Name     string   `json:"name"`
		Version  string   `json:"version"`
		Features []string `json:"features"`
		Services []string `json:"services"`
	}
	b, err := os.ReadFile(filepath.Join(dir, out.dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	if man.Name != "standard.reports" || man.Version != "0.1.0" || !slices.Equal(man.Features, []string{"api", "database", "settings"}) || !slices.Equal(man.Services, []string{"reports.service"}) {
		t.Errorf("manifest.json = %s", b)
	}
}

// repoRoot is the directory of the modls repository's go.mod, found from
// the test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/modls/modls\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of github.com/modls/modls above the test's directory")
		}
		dir = parent
	}
}

// copyTree copies the files and directories of src (a file or a
// directory) to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// repoCopy makes a temporary copy of the repository's go.mod, go.sum,
// framework/ and the given extra paths, so that generated modules are built
// against the real framework.
func repoCopy(t *testing.T, extra ...string) string {
	t.Helper()
	root := repoRoot(t)
	dst := t.TempDir()
	for _, p := range append([]string{"go.mod", "go.sum", "framework"}, extra...) {
		copyTree(t, filepath.Join(root, p), filepath.Join(dst, p))
	}
	return dst
}

// goCmd runs the go command in dir and fails the test, showing its output,
// if it fails.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestScaffoldCommand_Features generates a module for each combination of
// features into one copy of the repository and checks that all of them
// pass modls check, compile, pass go vet and pass their own tests, and that
// modls sandbox runs their integration tests and they pass.
func TestScaffoldCommand_Features(t *testing.T) {
	t.Parallel()
	dir := repoCopy(t)
	combos := []struct {
		name, features string
		files          []string
	}{
		{"plain", "", []string{"manifest.json", "module.go", "service.go", "contract/contract.go", "plain_test.go", "plain_integration_test.go"}},
		{"web", "api", []string{"manifest.json", "module.go", "service.go", "api.go", "contract/contract.go", "web_test.go", "web_integration_test.go"}},
		{"store", "database", []string{"manifest.json", "module.go", "service.go", "contract/contract.go", "store_test.go", "store_integration_test.go"}},
		{"tuned", "settings", []string{"manifest.json", "module.go", "service.go", "settings.go", "contract/contract.go", "tuned_test.go", "tuned_integration_test.go"}},
		{"webstore", "api,database", []string{"manifest.json", "module.go", "service.go", "api.go", "contract/contract.go", "webstore_test.go", "webstore_integration_test.go"}},
		{"webtuned", "api,settings", []string{"manifest.json", "module.go", "service.go", "api.go", "settings.go", "contract/contract.go", "webtuned_test.go", "webtuned_integration_test.go"}},
		{"storetuned", "database,settings", []string{"manifest.json", "module.go", "service.go", "settings.go", "contract/contract.go", "storetuned_test.go", "storetuned_integration_test.go"}},
		{"full", "api,database,settings", []string{"manifest.json", "module.go", "service.go", "api.go", "settings.go", "contract/contract.go", "full_test.go", "full_integration_test.go"}},
	}
	for _, c := range combos {
		code, stdout, stderr := runScaffold(t, dir, "--name", c.name, "--type", "standard", "--features", c.features)
		if code != 0 {
			t.Fatalf("--features %q: exit %d: %s", c.features, code, stderr)
		}
		out := parseOutput(t, stdout)
		if !reflect.DeepEqual(out.files, c.files) {
			t.Errorf("--features %q: files %q; want %q", c.features, out.files, c.files)
		}
		if want := "github.com/modls/modls/modules/standard/" + c.name; out.importPath != want {
			t.Errorf("--features %q: import %q; want %q", c.features, out.importPath, want)
		}
	}
	// The three checks run side by side on the one copy.
	t.Run("modls check", func(t *testing.T) {
		t.Parallel()
		// SPEC §6: the modules pass modls check as generated. A process
		// of its own, for a seeded cache of its own in a parallel test.
		cmd := exec.Command(testbin.Modls(t), "check", "./modules/...")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "MODLS_CACHE="+cachetest.Seeded(t))
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("modls check ./modules/...: %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Errorf("modls check: %v; want exit 0\n%s", err, out)
		}
	})
	t.Run("go vet", func(t *testing.T) {
		t.Parallel()
		goCmd(t, dir, "vet", "./modules/...")
		goCmd(t, dir, "vet", "-tags", "integration", "./modules/...")
	})
	t.Run("modls sandbox", func(t *testing.T) {
		t.Parallel()
		// Each module's generated integration tests run in the sandbox
		// and pass; none is skipped. The command runs as a process of its
		// own, for a modls cache of its own in a parallel test.
		bin := testbin.Modls(t)
		cache := filepath.Join(t.TempDir(), "cache.db")
		for _, c := range combos {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, "sandbox", "--module", "standard."+c.name)
			cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
			cmd.Env = append(os.Environ(), "MODLS_CACHE="+cache)
			err := cmd.Run()
			out := stdout.String()
			if err != nil {
				t.Errorf("modls sandbox --module standard.%s: %v; want exit 0\n%s%s", c.name, err, out, stderr.String())
				continue
			}
			want := []string{"✓ test TestServesAsTheApplicationDoes (", "✓ integration tests leave no processes"}
			if strings.Contains(c.features, "database") {
				want = append(want, "✓ test TestItemsSurviveARestart (")
			}
			for _, w := range want {
				if !strings.Contains(out, "\n"+w) {
					t.Errorf("modls sandbox --module standard.%s: no line %q:\n%s", c.name, w, out)
				}
			}
			if strings.Contains(out, "\n- test") || strings.Contains(out, "\n- integration tests") {
				t.Errorf("modls sandbox --module standard.%s skipped a test:\n%s", c.name, out)
			}
		}
	})
	t.Run("go test", func(t *testing.T) {
		t.Parallel()
		out := goCmd(t, dir, "test", "-count=1", "./modules/...")
		for _, c := range combos {
			if !regexp.MustCompile(`(?m)^ok\s+github.com/modls/modls/modules/standard/` + c.name + `\s`).MatchString(out) {
				t.Errorf("go test did not pass the %s module:\n%s", c.name, out)
			}
		}
	})
}

// TestScaffoldCommand_Acceptance adds a scaffolded module to a copy of the
// example application as the output says, builds and runs the application
// and asks the new module for its status.
func TestScaffoldCommand_Acceptance(t *testing.T) {
	t.Parallel()
	dir := repoCopy(t, filepath.Join("examples", "app"))
	appDir := filepath.Join(dir, "examples", "app")
	code, stdout, stderr := runScaffold(t, dir, "--name", "reports", "--type", "standard", "--dir", appDir)
	if code != 0 {
		t.Fatalf("scaffold: exit %d: %s", code, stderr)
	}
	out := parseOutput(t, stdout)
	if want := "github.com/modls/modls/examples/app/modules/standard/reports"; out.importPath != want {
		t.Fatalf("import path %q; want %q", out.importPath, want)
	}

	mainPath := filepath.Join(appDir, "main.go")
	src, err := os.ReadFile(mainPath)
	if err != nil {
		t.Fatal(err)
	}
	edited := addToMain(t, string(src), out.entry, out.importPath)
	if err := os.WriteFile(mainPath, edited, 0o644); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(dir, "app.bin")
	goCmd(t, dir, "build", "-o", bin, "./examples/app")
	goCmd(t, dir, "test", "-count=1", "./examples/app/modules/standard/reports/...")

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "app.db"))
	cmd.Dir = dir
	logs := &logBuffer{changed: make(chan struct{}, 1)}
	cmd.Stdout = io.Discard
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})

	addr := logs.await(t, regexp.MustCompile(`msg=serving addr=(\S+)`), exited, 2*time.Minute)
	resp, err := http.Get("http://" + addr + "/api/v1/reports/status")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET /api/v1/reports/status: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var status struct {
		Module string `json:"module"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &status); err != nil || status.Module != "standard.reports" || status.Status != "ok" {
		t.Errorf("GET /api/v1/reports/status = %s (%v); want module standard.reports, status ok", body, err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("after SIGTERM the application exited with %v; want 0\n%s", waitErr, logs)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the application did not stop within 2m of SIGTERM\n%s", logs)
	}
}

// addToMain adds entry to the modules list of an application's main.go
// and the import path to its import block, as a developer following the
// scaffold's output would.
func addToMain(t *testing.T, src, entry, importPath string) []byte {
	t.Helper()
	const list = "modules := []framework.Module{\n"
	i := strings.Index(src, list)
	if i < 0 {
		t.Fatalf("main.go has no %q", strings.TrimSpace(list))
	}
	end := strings.Index(src[i:], "\n\t}")
	if end < 0 {
		t.Fatal("main.go's modules list has no end")
	}
	at := i + end + 1
	src = src[:at] + "\t\t" + entry + "\n" + src[at:]
	const imports = "import (\n"
	j := strings.Index(src, imports)
	if j < 0 {
		t.Fatal("main.go has no import block")
	}
	at = j + len(imports)
	src = src[:at] + "\t" + strconv.Quote(importPath) + "\n" + src[at:]
	formatted, err := format.Source([]byte(src))
	if err != nil {
		t.Fatalf("main.go after the edit: %v\n%s", err, src)
	}
	return formatted
}

// logBuffer collects a process's log and signals each write.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	n, err := l.buf.Write(p)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// await waits until the log matches re and returns the first submatch.
func (l *logBuffer) await(t *testing.T, re *regexp.Regexp, exited <-chan struct{}, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			return m[1]
		}
		select {
		case <-l.changed:
		case <-exited:
			t.Fatalf("the application exited before logging %s:\n%s", re, l)
		case <-deadline:
			t.Fatalf("the application did not log %s within %v:\n%s", re, timeout, l)
		}
	}
}
