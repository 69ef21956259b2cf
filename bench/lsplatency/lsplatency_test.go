package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modls/modls/internal/testbin"
)

// TestSmoke runs the harness for 5 edits of each kind (the analyzer
// finding, a type error) against modls on a generated workspace the size
// of examples/app (3 modules), so that it keeps working; it asserts that
// every edit was matched and every request after it answered, not how
// fast.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts language servers")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	modls := testbin.Modls(t) // make test's build, or one per test process
	for _, finding := range []string{"rules", "type"} {
		t.Run(finding, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.json")
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			err := run(ctx, []string{
				"-n", "3", "-edits", "5", "-framework", root, "-finding", finding,
				"-server", modls + " serve",
				"-timeout", "60s", "-settle", "300ms",
				"-json", out,
			}, &stdout, &stderr)
			t.Logf("report:\n%s", stdout.String())
			if err != nil {
				t.Fatalf("lsplatency: %v\n%s", err, stderr.String())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var rep report
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Targets) != 1 {
				t.Fatalf("got %d targets, want 1 (modls)", len(rep.Targets))
			}
			tr := rep.Targets[0]
			if tr.Error != "" {
				t.Fatalf("modls: %s", tr.Error)
			}
			if tr.EditsMeasured != 5 || len(tr.EditLatenciesMicros) != 5 {
				t.Errorf("measured %d edits (%d latencies), want 5", tr.EditsMeasured, len(tr.EditLatenciesMicros))
			}
			if tr.FirstDiagColdMs <= 0 || tr.FirstDiagWarmMs <= 0 {
				t.Errorf("first diagnostics cold %v ms, warm %v ms: want both timed", tr.FirstDiagColdMs, tr.FirstDiagWarmMs)
			}
			if tr.CodeActionP50Ms <= 0 || tr.CodeLensP50Ms <= 0 {
				t.Errorf("codeAction p50 %v ms, codeLens p50 %v ms: want both timed", tr.CodeActionP50Ms, tr.CodeLensP50Ms)
			}
			if tr.PeakRSSColdMiB <= 0 || tr.PeakRSSWarmMiB <= 0 {
				t.Errorf("peak RSS cold %v MiB, warm %v MiB: want both read", tr.PeakRSSColdMiB, tr.PeakRSSWarmMiB)
			}
			if rep.Finding != finding || rep.LoadAvg[0] == "" || rep.LoadAvg[1] == "" {
				t.Errorf("report of finding %q with load averages %q, want %q and both read", rep.Finding, rep.LoadAvg, finding)
			}
			for _, row := range []string{"edit → diagnostics p50", "codeAction after an edit p50", "codeLens after an edit p50", "load avg"} {
				if !strings.Contains(stdout.String(), row) {
					t.Errorf("the printed report has no %q row:\n%s", row, stdout.String())
				}
			}
		})
	}
}

func TestEditBlock(t *testing.T) {
	modls := target{Finding: "modls", Recv: "*Service"}
	block, ident := editBlock(modls, "a1", true)
	if ident != "Bencha1" || !strings.Contains(block, "func (*Service) Bencha1() {}") || !strings.Contains(block, "// bench edit a1") {
		t.Errorf("modls appear block %q, ident %q", block, ident)
	}
	block, _ = editBlock(modls, "a2", false)
	if strings.Contains(block, "func") || !strings.Contains(block, "a2") {
		t.Errorf("modls disappear block %q: want a new comment only", block)
	}
	block, ident = editBlock(target{Finding: "vet"}, "b3", true)
	if ident != "vb3" || !strings.Contains(block, "vb3 = vb3") {
		t.Errorf("vet appear block %q, ident %q", block, ident)
	}
	for _, tg := range []target{{Finding: "modls", TypeErrors: true}, {Finding: "vet", TypeErrors: true}} {
		block, ident = editBlock(tg, "c4", true)
		if ident != "undefinedc4" || !strings.Contains(block, "var _ = undefinedc4\n") {
			t.Errorf("type error block for %s: %q, ident %q", tg.Finding, block, ident)
		}
		if block, _ = editBlock(tg, "c5", false); strings.Contains(block, "undefined") {
			t.Errorf("type error disappear block for %s %q: want a new comment only", tg.Finding, block)
		}
	}
}

func TestPosition(t *testing.T) {
	text := "a\nhé😀x\n"
	// "hé😀" is h (1), é (1), 😀 (2 UTF-16 units): x is at character 4.
	off := strings.Index(text, "x")
	p := position(text, off)
	if p["line"] != 1 || p["character"] != 4 {
		t.Errorf("position of x = %v, want line 1 character 4", p)
	}
}

// TestNavSmoke runs the navigation benchmark for 3 keystrokes against
// modls on a generated workspace of 3 modules: every request kind is
// measured after every keystroke (an empty answer fails the run), not how
// fast.
func TestNavSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts language servers")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	modls := testbin.Modls(t)
	out := filepath.Join(tmp, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err = run(ctx, []string{
		"-nav", "-n", "3", "-edits", "3", "-framework", root,
		"-server", modls + " serve",
		"-timeout", "60s", "-settle", "300ms",
		"-json", out,
	}, &stdout, &stderr)
	t.Logf("report:\n%s", stdout.String())
	if err != nil {
		t.Fatalf("lsplatency -nav: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Targets []navReport `json:"targets"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Targets) != 1 || rep.Targets[0].Error != "" {
		t.Fatalf("targets %+v, want modls without error", rep.Targets)
	}
	for _, m := range []string{"textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/completion"} {
		if st := rep.Targets[0].Requests[m]; st.Measured != 3 {
			t.Errorf("%s measured %d times, want 3", m, st.Measured)
		}
	}
	if !strings.Contains(stdout.String(), "hover p50 (ms)") || !strings.Contains(stdout.String(), "load avg") {
		t.Errorf("the printed report lacks the hover row or the load average:\n%s", stdout.String())
	}
}
