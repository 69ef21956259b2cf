package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/modls/modls/checker"
)

// CheckCommand checks modules against the rules: see SPEC §3.
type CheckCommand struct {
	env env
	dir string // the directory checked
}

const checkUsage = `usage: modls check [flags] [packages]

Checks every framework module found under the package patterns (default
./...) and prints one line per finding:

	file:line:col: MOD005 message

Exit status: 0 when nothing is found, 1 when something is, 2 on bad
arguments or when packages cannot be loaded, 3 when --fix could not write
a fix (a file changed during the run, or is read-only or immutable; the
other fixes are written).

Flags:
`

const checkExamples = `
Examples:
	modls check                               # the module tree below here
	modls check ./modules/standard/audit/...  # one module
	modls check --format sarif ./... > modls.sarif
	modls check --fix                          # apply the safe quick fixes
	modls check --diff --unsafe-fixes          # show what every fix would change
	modls check --write-baseline .modls-baseline.json   # record today's findings
	modls check --baseline .modls-baseline.json         # fail only on new ones

Rules are enabled and graded in modls.json beside go.mod:
	{"rules": {"MOD011": "off", "MOD007": "error", "MOD002": {"severity": "warning"}}}
Suppress one finding with a reason on its line or the line above:
	//modls:ignore MOD005 the migration tool writes this table itself
`

// Run parses the flags and checks.
func (c *CheckCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(c.env.Stderr)
	format := fset.String("format", "text", "output `format`: text, json, sarif or github")
	fix := fset.Bool("fix", false, "apply the safe quick fixes, then report what remains")
	diff := fset.Bool("diff", false, "print the unified diff of what --fix would write, and write nothing")
	unsafeFixes := fset.Bool("unsafe-fixes", false, "with --fix or --diff, apply the unsafe fixes too")
	baseline := fset.String("baseline", "", "report only findings not recorded in `FILE`")
	writeBaseline := fset.String("write-baseline", "", "record every finding in `FILE` and exit 0")
	configPath := fset.String("config", "", "rule configuration `FILE` (default: modls.json beside go.mod)")
	noCache := fset.Bool("no-cache", false, "neither read nor write the results cache")
	fset.Usage = func() {
		fmt.Fprint(c.env.Stderr, checkUsage)
		fset.PrintDefaults()
		fmt.Fprint(c.env.Stderr, checkExamples)
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2, err: errors.New("")}
	}
	switch *format {
	case "text", "json", "sarif", "github":
	default:
		return usageErrorf("unknown format %q (want text, json, sarif or github)", *format)
	}
	if *fix && *diff {
		return usageErrorf("--fix and --diff cannot be used together")
	}
	if *unsafeFixes && !*fix && !*diff {
		return usageErrorf("--unsafe-fixes needs --fix or --diff")
	}
	if *baseline != "" && *writeBaseline != "" {
		return usageErrorf("--baseline and --write-baseline cannot be used together")
	}
	dir := c.env.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	c.dir = dir
	cfg, err := checker.LoadConfig(dir, *configPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var base *checker.Baseline
	if *baseline != "" {
		if base, err = checker.ReadBaseline(filepath.Join(dir, *baseline)); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	opts := checker.Options{Dir: dir, Patterns: fset.Args(), Config: cfg}
	opts.Progress = checkProgress(c.env.Stderr) // on a terminal only
	if !*noCache {
		if path, err := checker.DefaultCachePath(); err == nil && path != "" {
			if cache, err := checker.OpenCache(path); err == nil {
				defer cache.Close()
				opts.Cache = cache
				if msg := cache.Repaired(); msg != "" {
					fmt.Fprintf(c.env.Stderr, "modls check: warning: %s\n", msg)
				}
			} else {
				fmt.Fprintf(c.env.Stderr, "modls check: warning: %v; checking without a cache\n", err)
			}
		}
	}
	res, err := checker.Check(ctx, opts)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if !*diff && checker.SweepTemps(res.Dirs) > 0 {
		// A fix interrupted by an earlier run was completed: check what
		// it wrote.
		if res, err = checker.Check(ctx, opts); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	if *diff {
		plan, err := c.planFixes(ctx, opts, res, *unsafeFixes)
		if err != nil {
			return err
		}
		if err := c.printDiff(plan); err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stderr, "modls check: --fix would apply %d fixes to %d files\n", plan.fixes, countFiles(plan.sets))
		if len(plan.sets) > 0 {
			return errSilentFailure
		}
		return nil
	}
	couldNotWrite := false
	if *fix {
		plan, err := c.planFixes(ctx, opts, res, *unsafeFixes)
		if err != nil {
			return err
		}
		written, failed := c.writeFixes(ctx, plan)
		couldNotWrite = failed
		if written > 0 {
			fmt.Fprintf(c.env.Stderr, "modls check: applied fixes to %d files\n", written)
			if res, err = checker.Check(ctx, opts); err != nil {
				return &exitError{code: 2, err: err}
			}
		}
	}
	diags := res.Diagnostics
	if *writeBaseline != "" {
		if err := checker.WriteBaseline(filepath.Join(dir, *writeBaseline), dir, diags); err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stderr, "modls check: recorded %d findings in %s\n", len(diags), *writeBaseline)
		return nil
	}
	if base != nil {
		diags = base.New(dir, diags)
	}
	if err := writeDiagnostics(c.env.Stdout, *format, dir, diags); err != nil {
		return err
	}
	if *format == "text" {
		summary(c.env.Stderr, res, diags)
	}
	if couldNotWrite {
		return &exitError{code: exitCouldNotWrite, err: errors.New("")}
	}
	if len(diags) > 0 {
		return errSilentFailure
	}
	return nil
}

func summary(w io.Writer, res *checker.Result, diags []checker.Diagnostic) {
	if len(diags) == 0 {
		fmt.Fprintf(w, "modls: no findings in %d packages\n", res.Packages)
		return
	}
	counts := checker.Counts(diags)
	var parts []string
	for _, s := range []string{"error", "warning", "info"} {
		if counts[s] > 0 {
			word := s + "s"
			if counts[s] == 1 || s == "info" {
				word = s
			}
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], word))
		}
	}
	fixes := ""
	switch safe, unsafe := fixable(diags); {
	case safe > 0 && unsafe > 0:
		fixes = fmt.Sprintf("; %d fixable with --fix, %d more with --unsafe-fixes", safe, unsafe)
	case safe > 0:
		fixes = fmt.Sprintf("; %d fixable with --fix", safe)
	case unsafe > 0:
		fixes = fmt.Sprintf("; %d fixable with --fix --unsafe-fixes", unsafe)
	}
	fmt.Fprintf(w, "modls: %s in %d packages%s\n", strings.Join(parts, ", "), res.Packages, fixes)
}

// jsonOutput is the --format json document.
type jsonOutput struct {
	Diagnostics []checker.Diagnostic `json:"diagnostics"`
}

func writeDiagnostics(w io.Writer, format, dir string, diags []checker.Diagnostic) error {
	rel := make([]checker.Diagnostic, len(diags))
	for i, d := range diags {
		rel[i] = d.Relative(dir)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonOutput{Diagnostics: rel})
	case "sarif":
		return writeSARIF(w, rel)
	case "github":
		for _, d := range rel {
			level := map[string]string{"error": "error", "warning": "warning", "info": "notice"}[d.Severity]
			fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				level, escapeProperty(d.File), d.Line, d.Column, d.EndLine, d.EndColumn, escapeProperty(d.Rule), escapeData(d.Message))
		}
		return nil
	default:
		for _, d := range rel {
			if _, err := fmt.Fprintf(w, "%s:%d:%d: %s %s\n", d.File, d.Line, d.Column, d.Rule, d.Message); err != nil {
				return err
			}
		}
		return nil
	}
}

// escapeData and escapeProperty follow the workflow-command encoding.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
