// Command floor measures the physical floor of a language server's answer
// to an edit, and how far servers are from it.
//
// The floor is the parse and type-check of the edited package, with its
// dependencies' types already in memory: go/packages loads the package
// once (its imports' types from the go command's export data), and each
// iteration then parses every file of the package, the edited one with the
// edit applied, and type-checks them, as bench/lsplatency -finding type
// edits the file (a fresh identifier each time, a type error appearing and
// disappearing in turn; each check must find exactly that error). It is
// timed in three forms: the package alone (the floor), with its in-package
// test files (the form in which modls checks it), and with the types.Info
// that analyzers need. Then it runs bench/lsplatency -finding type on the
// same file, modls and gopls (its default settings) in one run, and prints
// each server's edit → diagnostics latency against the floor.
//
//	go run ./bench/floor                       # 100 generated modules, 3 runs
//	go run ./bench/floor -n 20 -runs 1 -iterations 100 -edits 20
//	go run ./bench/floor -workspace DIR -file modules/standard/x/service.go
//
// Every figure is the median over -runs runs of that run's p50 or p95;
// the load average is printed before and after.
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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/bench/internal/figures"
)

func main() {
	figures.Exit("floor", run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ", ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// report is the outcome, as -json writes it.
type report struct {
	Workspace string        `json:"workspace"`
	File      string        `json:"file"`
	Runs      int           `json:"runs"`
	GapMs     float64       `json:"gap_ms"`
	LoadAvg   [2]string     `json:"load_average"` // before and after
	Floor     []floorReport `json:"floor"`
	Servers   []serverRep   `json:"servers"`
}

// A floorReport is one form's floor, measured twice: paced as the
// servers' edits are (each parse and type-check after the benchmark's
// pause between edits), and back to back.
type floorReport struct {
	Name       string  `json:"name"`
	P50Ms      float64 `json:"p50_ms"`
	P95Ms      float64 `json:"p95_ms"`
	HotP50Ms   float64 `json:"back_to_back_p50_ms"`
	HotP95Ms   float64 `json:"back_to_back_p95_ms"`
	Iterations int     `json:"iterations"`
}

// serverRep is what bench/lsplatency reported of a server, with its
// ratios to the floor (the package alone).
type serverRep struct {
	Name      string  `json:"name"`
	EditP50Ms float64 `json:"edit_p50_ms"`
	EditP95Ms float64 `json:"edit_p95_ms"`
	RatioP50  float64 `json:"ratio_p50"` // to the paced floor
	RatioP95  float64 `json:"ratio_p95"`
	// HotRatioP50 and HotRatioP95 are to the floor measured back to back.
	HotRatioP50 float64 `json:"back_to_back_ratio_p50"`
	HotRatioP95 float64 `json:"back_to_back_ratio_p95"`
	EditsTimed  int     `json:"edits_measured"`
	Error       string  `json:"error,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 100, "modules in the generated workspace")
	workspace := fs.String("workspace", "", "the workspace `directory` (default: generate one of -n modules)")
	file := fs.String("file", "", "the edited `file`, relative to the workspace (default with a generated workspace: a middle module's service.go)")
	iterations := fs.Int("iterations", 400, "timed parse and type-checks per form and run")
	gap := fs.Duration("gap", 20*time.Millisecond, "pause before each paced parse and type-check, and between a server's edits (bench/lsplatency -gap)")
	runs := fs.Int("runs", 3, "runs (every figure is the median over runs)")
	edits := fs.Int("edits", 50, "timed edits per server and run (bench/lsplatency -edits)")
	fwRoot := fs.String("framework", ".", "the modls repository `directory` (to generate workspaces and run bench/lsplatency)")
	var servers stringList
	fs.Var(&servers, "server", "a server `command` line for bench/lsplatency (repeatable; default: modls built from -framework, and gopls)")
	noServers := fs.Bool("floor-only", false, "measure the floor only, no servers")
	jsonOut := fs.String("json", "", "also write the report as JSON to this `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: floor [flags]\n\n"+
			"Times the parse and type-check of an edited package with its dependencies' types in memory,\n"+
			"and language servers' edit → diagnostics latency against it.\n\n"+
			"examples:\n"+
			"  go run ./bench/floor\n"+
			"  go run ./bench/floor -n 20 -runs 1 -iterations 100 -edits 20\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return figures.Usage(err)
	}
	if fs.NArg() > 0 {
		return figures.Usage(fmt.Errorf("floor takes no arguments, got %q", fs.Args()))
	}
	if *n < 1 || *runs < 1 || *iterations < 2 || *edits < 2 {
		return figures.Usage(errors.New("-n and -runs must be at least 1, -iterations and -edits at least 2"))
	}
	if *gap <= 0 {
		return figures.Usage(fmt.Errorf("-gap must be positive, got %v", *gap))
	}
	root, err := filepath.Abs(*fwRoot)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "floor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ws, rel := *workspace, *file
	if ws == "" {
		ws = filepath.Join(tmp, "workspace")
		fmt.Fprintf(stderr, "generating a workspace of %d modules in %s\n", *n, ws)
		if err := genworkspace.Generate(ws, *n, genworkspace.Options{Framework: root}); err != nil {
			return err
		}
		if rel == "" {
			i := *n / 2
			for genworkspace.Violating(i) && i+1 < *n {
				i++
			}
			rel = filepath.Join("modules", "standard", genworkspace.Name(i), "service.go")
		}
	} else if rel == "" {
		return figures.Usage(errors.New("-file is required with -workspace"))
	}
	if ws, err = filepath.Abs(ws); err != nil {
		return err
	}

	rep := report{Workspace: ws, File: rel, Runs: *runs, GapMs: figures.Ms(*gap)}
	rep.LoadAvg[0] = figures.LoadAverage()
	fmt.Fprintf(stderr, "loading %s and its dependencies' types\n", filepath.Dir(rel))
	plain, test, err := loadVariants(ws, rel)
	if err != nil {
		return err
	}
	forms := []*variant{plain}
	if test != nil {
		forms = append(forms, test)
	}
	forms = append(forms, plain.withInfo())
	for _, v := range forms {
		var p50s, p95s, hot50s, hot95s []float64
		for r := 1; r <= *runs; r++ {
			fmt.Fprintf(stderr, "floor: %s: run %d, %d iterations back to back, %d paced %v apart\n", v.Name, r, *iterations, *iterations, *gap)
			hot, err := measure(v, *iterations, 0)
			if err != nil {
				return err
			}
			paced, err := measure(v, *iterations, *gap)
			if err != nil {
				return err
			}
			hot50s, hot95s = append(hot50s, figures.Ms(figures.Percentile(hot, 50))), append(hot95s, figures.Ms(figures.Percentile(hot, 95)))
			p50s, p95s = append(p50s, figures.Ms(figures.Percentile(paced, 50))), append(p95s, figures.Ms(figures.Percentile(paced, 95)))
		}
		rep.Floor = append(rep.Floor, floorReport{Name: v.Name, P50Ms: figures.Median(p50s), P95Ms: figures.Median(p95s),
			HotP50Ms: figures.Median(hot50s), HotP95Ms: figures.Median(hot95s), Iterations: *iterations * *runs})
	}

	if !*noServers {
		if rep.Servers, err = serverLatency(ctx, root, ws, rel, tmp, *runs, *edits, *gap, servers, stderr); err != nil {
			return err
		}
		for i := range rep.Servers {
			s := &rep.Servers[i]
			if s.Error == "" {
				f := rep.Floor[0]
				s.RatioP50, s.RatioP95 = s.EditP50Ms/f.P50Ms, s.EditP95Ms/f.P95Ms
				s.HotRatioP50, s.HotRatioP95 = s.EditP50Ms/f.HotP50Ms, s.EditP95Ms/f.HotP95Ms
			}
		}
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
	for _, s := range rep.Servers {
		if s.Error != "" {
			return fmt.Errorf("%s: %s", s.Name, s.Error)
		}
	}
	return nil
}

// serverLatency runs bench/lsplatency -finding type on the file and
// returns what it measured of each server (gopls with its default
// settings only).
func serverLatency(ctx context.Context, root, ws, rel, tmp string, runs, edits int, gap time.Duration, servers []string, stderr io.Writer) ([]serverRep, error) {
	out := filepath.Join(tmp, "lsplatency.json")
	args := []string{"run", "./bench/lsplatency", "-finding", "type", "-workspace", ws, "-file", rel,
		"-runs", fmt.Sprint(runs), "-edits", fmt.Sprint(edits), "-gap", gap.String(), "-gopls-delay", "default", "-framework", root, "-json", out}
	for _, s := range servers {
		args = append(args, "-server", s)
	}
	fmt.Fprintf(stderr, "servers: go %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = stderr, stderr
	runErr := cmd.Run()
	data, err := os.ReadFile(out)
	if err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("bench/lsplatency: %w", runErr)
		}
		return nil, err
	}
	var lsp struct {
		Targets []struct {
			Name          string  `json:"name"`
			EditP50Ms     float64 `json:"edit_p50_ms"`
			EditP95Ms     float64 `json:"edit_p95_ms"`
			EditsMeasured int     `json:"edits_measured"`
			Error         string  `json:"error"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(data, &lsp); err != nil {
		return nil, fmt.Errorf("bench/lsplatency's report: %w", err)
	}
	var reps []serverRep
	for _, t := range lsp.Targets {
		reps = append(reps, serverRep{Name: t.Name, EditP50Ms: t.EditP50Ms, EditP95Ms: t.EditP95Ms, EditsTimed: t.EditsMeasured, Error: t.Error})
	}
	if len(reps) == 0 {
		return nil, fmt.Errorf("bench/lsplatency measured no server (%v)", runErr)
	}
	return reps, nil
}

func printReport(w io.Writer, rep report) {
	fmt.Fprintf(w, "workspace %s\nfile      %s (type-error edits, as bench/lsplatency -finding type makes them)\nruns      %d (figures are medians over runs)\npace      %g ms between edits, the servers' and the paced floor's\nload avg  %s (before), %s (after)\n\n",
		rep.Workspace, rep.File, rep.Runs, rep.GapMs, rep.LoadAvg[0], rep.LoadAvg[1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "parse + type-check, dependencies' types in memory\tpaced p50 (ms)\tp95 (ms)\tback to back p50 (ms)\tp95 (ms)\titerations\t")
	for _, f := range rep.Floor {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t\n", f.Name, f.P50Ms, f.P95Ms, f.HotP50Ms, f.HotP95Ms, f.Iterations)
	}
	tw.Flush()
	if len(rep.Servers) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "edit → diagnostics\tp50 (ms)\tp95 (ms)\tp50 / paced floor\tp95 / paced floor\tp50 / back to back\tp95 / back to back\tedits\t\n")
	for _, s := range rep.Servers {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t\n", s.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f×\t%.2f×\t%.2f×\t%.2f×\t%d\t\n", s.Name, s.EditP50Ms, s.EditP95Ms, s.RatioP50, s.RatioP95, s.HotRatioP50, s.HotRatioP95, s.EditsTimed)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nthe floor is the first form (%s); the servers' time includes the transport, the floor's does not\n", rep.Floor[0].Name)
	for _, s := range rep.Servers {
		if s.Error != "" {
			fmt.Fprintf(w, "%s failed: %s\n", s.Name, s.Error)
		}
	}
}
