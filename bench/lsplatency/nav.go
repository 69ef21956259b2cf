package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/modls/modls/bench/internal/figures"
)

// The navigation benchmark (-nav): requests answered while the user types.
// One file is open, links.go of a generated module, whose Start looks up
// the services of its dependencies. Each keystroke appends a character to
// a comment at the end of the file (didChange), and right after it the
// client sends each request of the target and times its answer:
//
//   - modls: hover, definition, references and completion on the service
//     name of a lookup, framework.Service[…](app, "m049.service");
//   - gopls: hover and definition on the Go identifier Service of the same
//     line, the peer's figures for the same gesture.
//
// Every answer must be non-empty, so that no figure times a miss.

// navRequest is one timed request kind at a place of the file.
type navRequest struct {
	Method string
	// Marker locates the place (its first occurrence), Shift the cursor
	// within it.
	Marker string
	Shift  int
}

type navReport struct {
	Name     string             `json:"name"`
	Requests map[string]navStat `json:"requests"`
	Error    string             `json:"error,omitempty"`
}

type navStat struct {
	P50Ms    float64 `json:"p50_ms"`
	P95Ms    float64 `json:"p95_ms"`
	Measured int     `json:"measured"`
}

// navRequests are the requests of a target on the line of a lookup of
// service.
func navRequests(tg target, service string) []navRequest {
	lookup := fmt.Sprintf("(app, %q)", service)
	if tg.Finding == "vet" {
		return []navRequest{
			{"textDocument/hover", "framework.Service[", len("framework.S")},
			{"textDocument/definition", "framework.Service[", len("framework.S")},
		}
	}
	return []navRequest{
		{"textDocument/hover", lookup, len(`(app, "m`)},
		{"textDocument/definition", lookup, len(`(app, "m`)},
		{"textDocument/references", lookup, len(`(app, "m`)},
		{"textDocument/completion", lookup, len(`(app, "`)},
	}
}

// navSession types keys into rel and times the target's requests after
// each.
func navSession(ctx context.Context, tg target, workspace, rel, service, cacheDir string, keys int, opt options) (map[string][]time.Duration, error) {
	c, err := launch(tg, workspace, cacheDir)
	if err != nil {
		return nil, err
	}
	defer c.abandon()
	incremental, err := initialize(ctx, c, tg, workspace, opt)
	if err != nil {
		return nil, err
	}
	if !incremental {
		return nil, fmt.Errorf("%s does not take incremental changes", tg.Name)
	}
	path := filepath.Join(workspace, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += "\n// typing: "
	uri := fileURI(path)
	c.watchURI(uri)
	if err := c.notify("textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": text},
	}); err != nil {
		return nil, err
	}
	firstCtx, cancel := context.WithTimeout(ctx, opt.timeout)
	defer cancel()
	if _, err := c.next(firstCtx); err != nil {
		return nil, fmt.Errorf("first diagnostics after didOpen: %w", err)
	}
	if err := c.quiet(ctx, opt.settle, opt.timeout); err != nil {
		return nil, err
	}
	reqs := navRequests(tg, service)
	out := map[string][]time.Duration{}
	for k := 1; k <= keys; k++ {
		key := string(rune('a' + k%26))
		end := position(text, len(text))
		if err := c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": k + 1},
			"contentChanges": []any{map[string]any{"range": map[string]any{"start": end, "end": end}, "text": key}},
		}); err != nil {
			return nil, err
		}
		text += key
		for _, r := range reqs {
			i := strings.Index(text, r.Marker)
			if i < 0 {
				return nil, fmt.Errorf("%s has no %q", rel, r.Marker)
			}
			params := map[string]any{
				"textDocument": map[string]any{"uri": uri},
				"position":     position(text, i+r.Shift),
			}
			if r.Method == "textDocument/references" {
				params["context"] = map[string]any{"includeDeclaration": true}
			}
			var res json.RawMessage
			reqCtx, cancel := context.WithTimeout(ctx, opt.timeout)
			t0 := time.Now()
			err := c.call(reqCtx, r.Method, params, &res)
			d := time.Since(t0)
			cancel()
			if err != nil {
				return nil, fmt.Errorf("keystroke %d: %w", k, err)
			}
			if s := strings.TrimSpace(string(res)); s == "" || s == "null" || s == "[]" || strings.Contains(s, `"items":[]`) {
				return nil, fmt.Errorf("keystroke %d: %s answered %s", k, r.Method, s)
			}
			out[r.Method] = append(out[r.Method], d)
		}
		// Drain what the keystroke published; the checks go on beside.
		for len(c.pubs) > 0 {
			<-c.pubs
		}
		if opt.gap > 0 {
			time.Sleep(opt.gap)
		}
	}
	if err := c.close(opt.timeout); err != nil {
		return nil, fmt.Errorf("shutting down: %w", err)
	}
	return out, nil
}

func printNavReport(w io.Writer, workspace, rel string, keys, runs int, before, after string, reps []navReport) {
	fmt.Fprintf(w, "workspace %s\nfile      %s\nkeys      %d per run, each followed by every request; %d run(s), figures are medians over runs\nload avg  %s (before), %s (after)\n\n",
		workspace, rel, keys, runs, before, after)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "while typing\t")
	for _, r := range reps {
		fmt.Fprintf(tw, "%s\t", r.Name)
	}
	fmt.Fprintln(tw)
	for _, m := range []string{"textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/completion"} {
		for _, p := range []string{"p50", "p95"} {
			fmt.Fprintf(tw, "%s %s (ms)\t", strings.TrimPrefix(m, "textDocument/"), p)
			for _, r := range reps {
				st, ok := r.Requests[m]
				switch {
				case r.Error != "" || !ok:
					fmt.Fprint(tw, "-\t")
				case p == "p50":
					fmt.Fprintf(tw, "%.2f\t", st.P50Ms)
				default:
					fmt.Fprintf(tw, "%.2f\t", st.P95Ms)
				}
			}
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
	for _, r := range reps {
		if r.Error != "" {
			fmt.Fprintf(w, "\n%s failed: %s\n", r.Name, r.Error)
		}
	}
}

// lookedUp is the first service name that a lookup in the file names.
func lookedUp(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(data), "](app, \"")
	if !ok {
		return "", fmt.Errorf("%s looks no service up", path)
	}
	name, _, _ := strings.Cut(rest, "\"")
	return name, nil
}

// runNav runs the navigation benchmark for every target (gopls once, with
// its first delay setting) and prints the report.
func runNav(ctx context.Context, targets []target, ws, rel, tmp string, keys, runs int, opt options, stdout, stderr io.Writer, jsonOut string) error {
	service, err := lookedUp(filepath.Join(ws, rel))
	if err != nil {
		return err
	}
	before := figures.LoadAverage()
	var reps []navReport
	var failed []string
	seen := map[string]bool{}
	for i, tg := range targets {
		if seen[tg.Finding] {
			continue // gopls's delay settings do not bear on requests
		}
		seen[tg.Finding] = true
		rep := navReport{Name: tg.Name, Requests: map[string]navStat{}}
		perRun := map[string][]navStat{}
		for r := 0; r < runs; r++ {
			fmt.Fprintf(stderr, "%s: run %d: %d keystrokes\n", tg.Name, r+1, keys)
			cache := filepath.Join(tmp, fmt.Sprintf("nav%d-%d", i, r))
			if err = os.MkdirAll(cache, 0o755); err != nil {
				return err
			}
			var got map[string][]time.Duration
			got, err = navSession(ctx, tg, ws, rel, service, cache, keys, opt)
			if err != nil {
				break
			}
			for m, ds := range got {
				perRun[m] = append(perRun[m], navStat{P50Ms: figures.Ms(figures.Percentile(ds, 50)), P95Ms: figures.Ms(figures.Percentile(ds, 95)), Measured: len(ds)})
			}
		}
		if err != nil {
			rep.Error = err.Error()
			failed = append(failed, fmt.Sprintf("%s: %v", tg.Name, err))
		}
		for m, sts := range perRun {
			rep.Requests[m] = medianStat(sts)
		}
		reps = append(reps, rep)
	}
	printNavReport(stdout, ws, rel, keys, runs, before, figures.LoadAverage(), reps)
	if jsonOut != "" {
		data, err := json.MarshalIndent(map[string]any{"workspace": ws, "file": rel, "keys": keys, "runs": runs, "targets": reps}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}

// medianStat is the median of each figure over runs.
func medianStat(sts []navStat) navStat {
	var p50, p95 []float64
	n := 0
	for _, s := range sts {
		p50, p95, n = append(p50, s.P50Ms), append(p95, s.P95Ms), n+s.Measured
	}
	med := func(v []float64) float64 {
		slices.Sort(v)
		return v[(len(v)-1)/2]
	}
	return navStat{P50Ms: med(p50), P95Ms: med(p95), Measured: n}
}
