// Command lsplatency measures how fast language servers publish the
// diagnostics that reflect an edit, speaking LSP to each over stdio as an
// editor does.
//
// For every server it runs two sessions on the same file of the same
// workspace. The cold session starts with an empty server cache and times
// the first publishDiagnostics after didOpen. The warm session reuses that
// cache, times the first diagnostics again, then makes -edits timed edits:
// each appends a new block to the file (a fresh identifier, so that no cache
// can answer), alternately adding and removing a finding of the analyzer
// class, and is timed from didChange to the publishDiagnostics that shows
// the finding appear or disappear (and carries the edit's version when the
// server sends versions). The peak RSS of each session's server process
// (VmHWM) is read before shutdown.
//
// modls's finding is MOD002: an exported method of the registered service
// without a ServiceMethod entry. gopls's is the assign analyzer's
// self-assignment; gopls runs twice, with its default settings (a 1 s
// diagnostics delay before analysis) and with "diagnosticsDelay": "0s".
// With -finding type every server gets the same edit instead, a type
// error (var _ = undefinedXXX), which its type checker reports.
//
// Once an edit's diagnostics have arrived, the client asks what an editor
// asks then, and times each answer: the code actions at the cursor (with
// the diagnostics published there) and the file's code lenses. The load
// average is printed before and after.
//
//	go run ./bench/lsplatency                      # modls and gopls, 100 generated modules
//	go run ./bench/lsplatency -n 20 -edits 20
//	go run ./bench/lsplatency -finding type -runs 3   # type-error edits
//	go run ./bench/lsplatency -runs 3 -json report.json  # medians of 3 runs
//	go run ./bench/lsplatency -server "modls serve" -workspace DIR -file modules/standard/x/service.go -edits 50
//
// Without -workspace, a workspace of -n modules is generated (package
// genworkspace) and the file is the service.go of a module in the middle.
// Without -server, modls is built from this repository and gopls is taken
// from PATH or $(go env GOPATH)/bin (go install golang.org/x/tools/gopls@v0.23.0).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/bench/internal/figures"
)

type options struct {
	timeout time.Duration
	settle  time.Duration
	gap     time.Duration
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ", ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	figures.Exit("lsplatency", run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// report is the outcome of a run, per target; -json writes it.
type report struct {
	Workspace string         `json:"workspace"`
	File      string         `json:"file"`
	Finding   string         `json:"finding"`
	Edits     int            `json:"edits"`
	Runs      int            `json:"runs"`
	LoadAvg   [2]string      `json:"load_average"` // before and after
	Targets   []targetReport `json:"targets"`
}

type targetReport struct {
	Name                string  `json:"name"`
	Command             string  `json:"command"`
	FirstDiagColdMs     float64 `json:"first_diagnostics_cold_ms"`
	FirstDiagWarmMs     float64 `json:"first_diagnostics_warm_ms"`
	EditP50Ms           float64 `json:"edit_p50_ms"`
	EditP95Ms           float64 `json:"edit_p95_ms"`
	AppearP50Ms         float64 `json:"appear_p50_ms"`
	AppearP95Ms         float64 `json:"appear_p95_ms"`
	DisappearP50Ms      float64 `json:"disappear_p50_ms"`
	DisappearP95Ms      float64 `json:"disappear_p95_ms"`
	CodeActionP50Ms     float64 `json:"code_action_p50_ms"`
	CodeActionP95Ms     float64 `json:"code_action_p95_ms"`
	CodeLensP50Ms       float64 `json:"code_lens_p50_ms"`
	CodeLensP95Ms       float64 `json:"code_lens_p95_ms"`
	EditsMeasured       int     `json:"edits_measured"`
	VersionedPublishes  int     `json:"versioned_publishes"`
	PeakRSSColdMiB      float64 `json:"peak_rss_cold_mib"`
	PeakRSSWarmMiB      float64 `json:"peak_rss_warm_mib"`
	EditLatenciesMicros []int64 `json:"edit_latencies_us"`
	Error               string  `json:"error,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lsplatency", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var servers stringList
	fs.Var(&servers, "server", "a server `command` line (repeatable); a command naming gopls gets gopls's finding and runs with and without the delay")
	workspace := fs.String("workspace", "", "the workspace `directory` (default: generate one of -n modules)")
	file := fs.String("file", "", "the edited `file`, relative to the workspace (default with a generated workspace: a middle module's service.go)")
	n := fs.Int("n", 100, "modules in the generated workspace")
	edits := fs.Int("edits", 50, "timed edits per server")
	recv := fs.String("recv", "*Service", "the receiver `type` of the service method a modls edit adds")
	fwRoot := fs.String("framework", ".", "the modls repository `directory` (to build modls and generate workspaces)")
	delays := fs.String("gopls-delay", "default,0s", "gopls diagnosticsDelay settings to run, comma-separated (default = gopls's own)")
	timeout := fs.Duration("timeout", 2*time.Minute, "the longest wait for any one reply or publication")
	settle := fs.Duration("settle", 1500*time.Millisecond, "quiet time after the first diagnostics before the first edit")
	gap := fs.Duration("gap", 20*time.Millisecond, "pause between edits")
	runs := fs.Int("runs", 1, "runs per server (cold and warm sessions each); every figure is the median over runs")
	jsonOut := fs.String("json", "", "also write the report as JSON to this `file`")
	finding := fs.String("finding", "rules", "what the edits toggle: rules (each server's analyzer finding) or type (the same type error for every server)")
	navMode := fs.Bool("nav", false, "time hover, definition, references and completion while typing instead of diagnostics (-edits keystrokes)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: lsplatency [flags]\n\n"+
			"Times didChange → publishDiagnostics, first diagnostics and peak RSS of language servers.\n\n"+
			"examples:\n"+
			"  go run ./bench/lsplatency -n 100 -edits 50\n"+
			"  go run ./bench/lsplatency -server \"modls serve\" -server gopls -workspace DIR -file REL -edits 20\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return figures.Usage(err)
	}
	if *edits < 0 || *n < 1 || *runs < 1 {
		return figures.Usage(errors.New("-edits must be at least 0, -n and -runs at least 1"))
	}
	if *finding != "rules" && *finding != "type" {
		return figures.Usage(fmt.Errorf("-finding is rules or type, not %q", *finding))
	}
	opt := options{timeout: *timeout, settle: *settle, gap: *gap}

	tmp, err := os.MkdirTemp("", "lsplatency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	ws, rel := *workspace, *file
	if ws == "" {
		ws = filepath.Join(tmp, "workspace")
		fmt.Fprintf(stderr, "generating a workspace of %d modules in %s\n", *n, ws)
		if err := genworkspace.Generate(ws, *n, genworkspace.Options{Framework: *fwRoot}); err != nil {
			return err
		}
		if rel == "" {
			i := *n / 2
			for genworkspace.Violating(i) && i+1 < *n {
				i++
			}
			name := genworkspace.Name(i)
			rel = filepath.Join("modules", "standard", name, "service.go")
			if *navMode {
				rel = filepath.Join("modules", "standard", name, "links.go")
			}
		}
	} else if rel == "" {
		return figures.Usage(errors.New("-file is required with -workspace"))
	}
	if ws, err = filepath.Abs(ws); err != nil {
		return err
	}

	if len(servers) == 0 {
		modls, err := figures.BuildModls(*fwRoot, tmp)
		if err != nil {
			return err
		}
		servers = append(servers, modls+" serve")
		if gopls := findGopls(); gopls != "" {
			servers = append(servers, gopls)
		} else {
			fmt.Fprintln(stderr, "gopls not found on PATH or in $(go env GOPATH)/bin; install it with go install golang.org/x/tools/gopls@v0.23.0")
		}
	}
	var targets []target
	for _, s := range servers {
		argv := strings.Fields(s)
		if len(argv) == 0 {
			return figures.Usage(errors.New("-server is empty"))
		}
		if strings.Contains(filepath.Base(argv[0]), "gopls") {
			for _, d := range strings.Split(*delays, ",") {
				d = strings.TrimSpace(d)
				tg := target{Name: "gopls", Argv: argv, Finding: "vet", TypeErrors: *finding == "type", CacheEnv: "GOPLSCACHE", Section: "gopls"}
				if d != "" && d != "default" {
					tg.Name = "gopls (diagnosticsDelay " + d + ")"
					tg.InitOptions = map[string]any{"diagnosticsDelay": d}
				}
				targets = append(targets, tg)
			}
			continue
		}
		targets = append(targets, target{Name: filepath.Base(argv[0]), Argv: argv, Finding: "modls", TypeErrors: *finding == "type", Recv: *recv, CacheEnv: "MODLS_CACHE"})
	}

	if *navMode {
		return runNav(ctx, targets, ws, rel, tmp, *edits, *runs, opt, stdout, stderr, *jsonOut)
	}

	rep := report{Workspace: ws, File: rel, Finding: *finding, Edits: *edits, Runs: *runs}
	rep.LoadAvg[0] = figures.LoadAverage()
	var failed []string
	for i, tg := range targets {
		var per []targetReport
		var err error
		for r := 0; r < *runs && err == nil; r++ {
			fmt.Fprintf(stderr, "%s: run %d: cold session\n", tg.Name, r+1)
			cache := filepath.Join(tmp, fmt.Sprintf("cache%d-%d", i, r))
			if err = os.MkdirAll(cache, 0o755); err != nil {
				return err
			}
			var cold, warm sessionResult
			cold, err = session(ctx, tg, ws, rel, cache, 0, opt)
			if err == nil {
				fmt.Fprintf(stderr, "%s: run %d: warm session, %d edits\n", tg.Name, r+1, *edits)
				warm, err = session(ctx, tg, ws, rel, cache, *edits, opt)
			}
			tr := targetReport{Name: tg.Name, Command: strings.Join(tg.Argv, " ")}
			fill(&tr, cold, warm)
			per = append(per, tr)
		}
		tr := medianReport(per)
		if err != nil {
			tr = targetReport{Name: tg.Name, Command: strings.Join(tg.Argv, " "), Error: err.Error()}
			failed = append(failed, fmt.Sprintf("%s: %v", tg.Name, err))
		}
		rep.Targets = append(rep.Targets, tr)
	}
	rep.LoadAvg[1] = figures.LoadAverage()
	printReport(stdout, rep)
	if *jsonOut != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

func fill(tr *targetReport, cold, warm sessionResult) {
	ms, percentile := figures.Ms, figures.Percentile
	tr.FirstDiagColdMs = ms(cold.FirstDiagnostics)
	tr.FirstDiagWarmMs = ms(warm.FirstDiagnostics)
	tr.PeakRSSColdMiB = float64(cold.PeakRSSKiB) / 1024
	tr.PeakRSSWarmMiB = float64(warm.PeakRSSKiB) / 1024
	var all, appear, disappear []time.Duration
	for _, e := range warm.Edits {
		all = append(all, e.Latency)
		tr.EditLatenciesMicros = append(tr.EditLatenciesMicros, e.Latency.Microseconds())
		if e.Appear {
			appear = append(appear, e.Latency)
		} else {
			disappear = append(disappear, e.Latency)
		}
		if e.Versioned {
			tr.VersionedPublishes++
		}
	}
	tr.EditsMeasured = len(all)
	tr.EditP50Ms, tr.EditP95Ms = ms(percentile(all, 50)), ms(percentile(all, 95))
	tr.AppearP50Ms, tr.AppearP95Ms = ms(percentile(appear, 50)), ms(percentile(appear, 95))
	tr.DisappearP50Ms, tr.DisappearP95Ms = ms(percentile(disappear, 50)), ms(percentile(disappear, 95))
	tr.CodeActionP50Ms, tr.CodeActionP95Ms = ms(percentile(warm.CodeActions, 50)), ms(percentile(warm.CodeActions, 95))
	tr.CodeLensP50Ms, tr.CodeLensP95Ms = ms(percentile(warm.CodeLenses, 50)), ms(percentile(warm.CodeLenses, 95))
}

// medianReport is the median of each figure over runs; the latencies are
// those of every run.
func medianReport(runs []targetReport) targetReport {
	out := runs[0]
	med := func(field func(t *targetReport) *float64) {
		var vs []float64
		for i := range runs {
			vs = append(vs, *field(&runs[i]))
		}
		slices.Sort(vs)
		*field(&out) = vs[(len(vs)-1)/2]
	}
	for _, f := range []func(t *targetReport) *float64{
		func(t *targetReport) *float64 { return &t.FirstDiagColdMs },
		func(t *targetReport) *float64 { return &t.FirstDiagWarmMs },
		func(t *targetReport) *float64 { return &t.EditP50Ms },
		func(t *targetReport) *float64 { return &t.EditP95Ms },
		func(t *targetReport) *float64 { return &t.AppearP50Ms },
		func(t *targetReport) *float64 { return &t.AppearP95Ms },
		func(t *targetReport) *float64 { return &t.DisappearP50Ms },
		func(t *targetReport) *float64 { return &t.DisappearP95Ms },
		func(t *targetReport) *float64 { return &t.CodeActionP50Ms },
		func(t *targetReport) *float64 { return &t.CodeActionP95Ms },
		func(t *targetReport) *float64 { return &t.CodeLensP50Ms },
		func(t *targetReport) *float64 { return &t.CodeLensP95Ms },
		func(t *targetReport) *float64 { return &t.PeakRSSColdMiB },
		func(t *targetReport) *float64 { return &t.PeakRSSWarmMiB },
	} {
		med(f)
	}
	out.EditLatenciesMicros, out.EditsMeasured, out.VersionedPublishes = nil, 0, 0
	for _, r := range runs {
		out.EditLatenciesMicros = append(out.EditLatenciesMicros, r.EditLatenciesMicros...)
		out.EditsMeasured += r.EditsMeasured
		out.VersionedPublishes += r.VersionedPublishes
	}
	return out
}

func printReport(w io.Writer, rep report) {
	what := "each server's analyzer finding"
	if rep.Finding == "type" {
		what = "a type error"
	}
	fmt.Fprintf(w, "workspace %s\nfile      %s\nedits     %d per run (alternately adding and removing %s)\nruns      %d per server (figures are medians over runs)\nload avg  %s (before), %s (after)\n\n",
		rep.Workspace, rep.File, rep.Edits, what, rep.Runs, rep.LoadAvg[0], rep.LoadAvg[1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, cell func(t targetReport) string) {
		fmt.Fprintf(tw, "%s\t", label)
		for _, t := range rep.Targets {
			if t.Error != "" {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%s\t", cell(t))
		}
		fmt.Fprintln(tw)
	}
	f1 := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	f0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	fmt.Fprint(tw, "\t")
	for _, t := range rep.Targets {
		fmt.Fprintf(tw, "%s\t", t.Name)
	}
	fmt.Fprintln(tw)
	row("edit → diagnostics p50 (ms)", func(t targetReport) string { return f1(t.EditP50Ms) })
	row("edit → diagnostics p95 (ms)", func(t targetReport) string { return f1(t.EditP95Ms) })
	row("  finding appears p50 (ms)", func(t targetReport) string { return f1(t.AppearP50Ms) })
	row("  finding appears p95 (ms)", func(t targetReport) string { return f1(t.AppearP95Ms) })
	row("  finding disappears p50 (ms)", func(t targetReport) string { return f1(t.DisappearP50Ms) })
	row("  finding disappears p95 (ms)", func(t targetReport) string { return f1(t.DisappearP95Ms) })
	f2 := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	row("codeAction after an edit p50 (ms)", func(t targetReport) string { return f2(t.CodeActionP50Ms) })
	row("codeAction after an edit p95 (ms)", func(t targetReport) string { return f2(t.CodeActionP95Ms) })
	row("codeLens after an edit p50 (ms)", func(t targetReport) string { return f2(t.CodeLensP50Ms) })
	row("codeLens after an edit p95 (ms)", func(t targetReport) string { return f2(t.CodeLensP95Ms) })
	row("edits measured, all runs (versioned)", func(t targetReport) string {
		return fmt.Sprintf("%d (%d)", t.EditsMeasured, t.VersionedPublishes)
	})
	row("first diagnostics, cold (ms)", func(t targetReport) string { return f0(t.FirstDiagColdMs) })
	row("first diagnostics, warm (ms)", func(t targetReport) string { return f0(t.FirstDiagWarmMs) })
	row("peak RSS, cold (MiB)", func(t targetReport) string { return f0(t.PeakRSSColdMiB) })
	row("peak RSS, warm (MiB)", func(t targetReport) string { return f0(t.PeakRSSWarmMiB) })
	tw.Flush()
	for _, t := range rep.Targets {
		if t.Error != "" {
			fmt.Fprintf(w, "\n%s failed: %s\n", t.Name, t.Error)
		}
	}
}

// findGopls is gopls on PATH or in $(go env GOPATH)/bin, or "".
func findGopls() string {
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
		p := filepath.Join(dir, "bin", "gopls")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
