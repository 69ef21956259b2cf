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
	"github.com/modls/modls/internal/gitdiff"
	"github.com/modls/modls/internal/textreport"
	"github.com/modls/modls/rules"
)

// CheckCommand checks modules against the rules: see SPEC §3.
type CheckCommand struct {
	env env
	dir string // the directory checked
}

const checkUsage = `usage: modls check [flags] [packages]

Checks every framework module found under the package patterns (default
./...) and prints each finding with the line it is on:

	modules/standard/ledger/service.go:54:18: MOD002 [error] exported method Sum has no ServiceMethod entry
	   |
	54 | func (t *Totals) Sum(ctx context.Context) (int64, error) {
	   |                  ^^^
	   = note: modules/standard/ledger/module.go:66:12: the service is registered here
	   = help: [*] Add ServiceMethod entries

then a summary on standard error. Paths are relative to the current
directory when they lie under it, absolute otherwise. A help line marked
[*] is the fix --fix applies; [~] is one only --fix --unsafe-fixes
applies. --format concise prints one line per finding:

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
	modls check --select MOD005,sql-invalid   # only these rules
	modls check --ignore MOD011 --statistics  # a count per rule
	modls check --new-from-rev origin/main    # only lines changed since main
	modls check --timings --no-cache          # where the time goes
	modls check --fix                          # apply the safe quick fixes
	modls check --diff --unsafe-fixes          # show what every fix would change
	modls check --write-baseline .modls-baseline.json   # record today's findings
	modls check --baseline .modls-baseline.json         # fail only on new ones
	modls check --shard 2/4 --format json > shard-2.json  # one of four machines' part

Rules are enabled and graded in modls.json beside go.mod:
	{"rules": {"MOD011": "off", "MOD007": "error", "MOD002": {"severity": "warning"}}}
--select and --ignore apply on top of it. Suppress one finding with a
reason on its line or the line above:
	//modls:ignore MOD005 the migration tool writes this table itself

--shard K/N checks one part of the packages, the same on every machine
with the same tree; 'modls merge' joins the parts' --format json outputs
into the unsharded output. --fix and --diff work on the part's packages;
--write-baseline needs the whole tree and refuses --shard.

Colour: --color auto (the default) colours a terminal unless NO_COLOR is
set; --color always colours even then.
`

// listFlag is a flag that takes comma-separated values and may be given
// more than once.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// manyPackages is how many packages a check type-checks before it is
// made to collect more often.
const manyPackages = 32

// Run parses the flags and checks.
func (c *CheckCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	format := fset.String("format", "text", "output `format`: text, concise, json, sarif or github")
	color := fset.String("color", "auto", "colour the text output: `when` auto, always or never")
	statistics := fset.Bool("statistics", false, "print a count of findings per rule instead of the findings")
	var selectRules, ignoreRules listFlag
	fset.Var(&selectRules, "select", "run only these `rules` (IDs or names, comma-separated; repeatable)")
	fset.Var(&ignoreRules, "ignore", "do not run these `rules` (IDs or names, comma-separated; repeatable)")
	newFromRev := fset.String("new-from-rev", "", "report only findings on lines changed since the git revision `REV` (and in untracked files)")
	fix := fset.Bool("fix", false, "apply the safe quick fixes, then report what remains")
	diff := fset.Bool("diff", false, "print the unified diff of what --fix would write, and write nothing")
	unsafeFixes := fset.Bool("unsafe-fixes", false, "with --fix or --diff, apply the unsafe fixes too")
	baseline := fset.String("baseline", "", "report only findings not recorded in `FILE`")
	writeBaseline := fset.String("write-baseline", "", "record every finding in `FILE` and exit 0")
	configPath := fset.String("config", "", "rule configuration `FILE` (default: modls.json beside go.mod)")
	noCache := fset.Bool("no-cache", false, "neither read nor write the results cache")
	timings := fset.Bool("timings", false, "print on standard error where the time went: per phase, per rule, the slowest packages")
	var shard shardFlag
	fset.Var(&shard, "shard", "check only part `K/N` of the packages (1 <= K <= N), for N machines; 'modls merge' joins the parts' --format json outputs")
	if help, err := parseFlags(c.env, "check", fset, args, func(w io.Writer) {
		fmt.Fprint(w, checkUsage)
		printDefaults(w, fset)
		fmt.Fprint(w, checkExamples)
	}); help || err != nil {
		return err
	}
	switch *format {
	case "text", "concise", "json", "sarif", "github":
	default:
		return usageErrorf("unknown format %q (want text, concise, json, sarif or github)", *format)
	}
	colorOut, err := textreport.UseColor(*color, c.env.Stdout, os.Getenv("NO_COLOR"))
	if err != nil {
		return usageErrorf("%v", err)
	}
	colorErr, _ := textreport.UseColor(*color, c.env.Stderr, os.Getenv("NO_COLOR"))
	if *statistics && *format != "text" && *format != "concise" {
		return usageErrorf("--statistics prints text; it does not go with --format %s", *format)
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
	if shard.N > 0 && *writeBaseline != "" {
		// One part's findings would replace the whole tree's.
		return usageErrorf("--write-baseline records every finding; it does not go with --shard")
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
	cfgFile := *configPath
	if cfgFile != "" {
		cfgFile = c.abs(cfgFile)
	}
	cfg, err := checker.LoadConfig(dir, cfgFile)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := selectRulesIn(cfg, selectRules, ignoreRules); err != nil {
		return err
	}
	if *writeBaseline != "" {
		// Before the check: a baseline that cannot be written is a bad
		// argument, not a finding.
		d := filepath.Dir(c.abs(*writeBaseline))
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return usageErrorf("--write-baseline: directory %s does not exist", d)
		}
	}
	var base *checker.Baseline
	if *baseline != "" {
		if base, err = checker.ReadBaseline(c.abs(*baseline)); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	var changed *gitdiff.Changes
	if *newFromRev != "" {
		if changed, err = gitdiff.Since(ctx, dir, *newFromRev); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--new-from-rev: %w", err)}
		}
	}
	opts := checker.Options{Dir: dir, Patterns: fset.Args(), Config: cfg, Shard: checker.Shard(shard)}
	// A cold check of a large workspace holds the types of every package
	// it has checked: once it type-checks many, collect at half the
	// default growth, which keeps its peak near 1.5 times what it holds
	// (under 500 MiB at 1,000 modules) for little time. Until then, and
	// in a check of a few packages (a warm run reads records of the tree
	// and the findings, one after an edit checks what the edit reaches),
	// which hold little, collect late (collector) and then rarely. GOGC,
	// when set, wins.
	if os.Getenv("GOGC") == "" {
		gc := collectLate(400)
		defer gc.restore()
		opts.BeforeTypeCheck = func(packages int) {
			if packages > manyPackages {
				gc.at(50)
			}
		}
	}
	if *timings {
		opts.Timings = checker.NewTimings()
		defer func() {
			(&textreport.Printer{Color: colorErr}).Timings(c.env.Stderr, opts.Timings, ruleName)
		}()
	}
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
	if !*diff && checker.SweepTemps(res.TempDirs) > 0 {
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
		path := c.abs(*writeBaseline)
		if err := checker.WriteBaseline(path, filepath.Dir(path), diags); err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stderr, "modls check: recorded %d findings in %s\n", len(diags), *writeBaseline)
		return nil
	}
	if base != nil {
		diags = base.New(dir, diags)
	}
	if changed != nil {
		diags = onChangedLines(diags, changed)
	}
	out := &textreport.Printer{Dir: dir, Color: colorOut}
	switch {
	case *statistics:
		err = out.Statistics(c.env.Stdout, diags, ruleName)
	case *format == "text":
		err = out.Full(c.env.Stdout, diags)
	case *format == "concise":
		err = out.Concise(c.env.Stdout, diags)
	default:
		var part *shardPart
		if shard.N > 0 {
			part = &shardPart{K: shard.K, N: shard.N, Version: version, Packages: res.Roots,
				Run: runFingerprint(res.Partition, cfg, c.baselineBytes(*baseline), *newFromRev)}
			if part.Packages == nil {
				part.Packages = []string{}
			}
		}
		err = writeDiagnostics(c.env.Stdout, *format, dir, diags, part)
	}
	if err != nil {
		return err
	}
	if *format == "text" || *format == "concise" {
		summary := &textreport.Printer{Dir: dir, Color: colorErr}
		summary.Summary(c.env.Stderr, res.Packages, diags)
	}
	if couldNotWrite {
		return &exitError{code: exitCouldNotWrite, err: errors.New("")}
	}
	if len(diags) > 0 {
		return errSilentFailure
	}
	return nil
}

// abs resolves a path the user gave against the directory modls runs in.
func (c *CheckCommand) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.dir, p)
}

// selectRulesIn applies --select and --ignore over the configuration: with
// --select only the rules it names run (even those modls.json turns off),
// and --ignore turns rules off.
func selectRulesIn(cfg *checker.Config, sel, ign []string) error {
	if cfg.Rules == nil {
		cfg.Rules = map[string]checker.RuleConfig{}
	}
	resolve := func(flagName string, names []string) (map[string]bool, error) {
		ids := map[string]bool{}
		for _, n := range names {
			r, ok := findRule(n)
			if !ok {
				return nil, usageErrorf("%s: no rule %q; run 'modls rules' for the list", flagName, n)
			}
			ids[r.Doc.ID] = true
		}
		return ids, nil
	}
	selected, err := resolve("--select", sel)
	if err != nil {
		return err
	}
	ignored, err := resolve("--ignore", ign)
	if err != nil {
		return err
	}
	for _, r := range rules.All() {
		id := r.Doc.ID
		rc := cfg.Rules[id]
		on := true
		if len(selected) > 0 && !selected[id] {
			on = false
		}
		if ignored[id] {
			on = false
		}
		switch {
		case !on:
			rc.Enabled = &on
		case len(selected) > 0:
			rc.Enabled = &on
		default:
			continue // modls.json decides
		}
		cfg.Rules[id] = rc
	}
	return nil
}

// ruleName names a rule for --statistics.
func ruleName(id string) string {
	if r, ok := rules.ByID(id); ok {
		return r.Doc.Name
	}
	return ""
}

// onChangedLines keeps the findings whose first line changed.
func onChangedLines(diags []checker.Diagnostic, ch *gitdiff.Changes) []checker.Diagnostic {
	var out []checker.Diagnostic
	for _, d := range diags {
		if ch.Changed(d.File, d.Line) {
			out = append(out, d)
		}
	}
	return out
}

// jsonOutput is the --format json document. A sharded check adds Shard;
// modls merge drops it, so the merged document is the unsharded one.
type jsonOutput struct {
	Diagnostics []checker.Diagnostic `json:"diagnostics"`
	Shard       *shardPart           `json:"shard,omitempty"`
}

// writeDiagnostics prints diags in a machine format (json, sarif, github,
// or one line per finding), with file names relative to dir, in the
// order of printedOrder. part is the shard the findings are of, for json.
func writeDiagnostics(w io.Writer, format, dir string, diags []checker.Diagnostic, part *shardPart) error {
	rel := make([]checker.Diagnostic, len(diags))
	for i, d := range diags {
		rel[i] = d.Relative(dir)
	}
	rel = printedOrder(rel)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonOutput{Diagnostics: rel, Shard: part})
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
