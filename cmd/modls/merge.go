package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/modls/modls/checker"
)

// MergeCommand joins the outputs of the shards of a check (check --shard).
type MergeCommand struct {
	env env
}

const mergeUsage = `usage: modls merge [flags] FILE...

Joins the --format json outputs of the shards of one check into what
the check prints unsharded, byte for byte and in the same order, so one
upload and one exit status serve the whole run:

	modls check --shard 1/2 --format json > shard-1.json   # one machine
	modls check --shard 2/2 --format json > shard-2.json   # another
	modls merge --format sarif shard-*.json > modls.sarif

Every shard of the run must be given, once: the files must come from
this version of modls, with the same packages (import paths and sizes),
rules, baseline, --new-from-rev and N. Shards write JSON whatever the
merged format is; a SARIF file is not a shard's output.

Exit status: 0 when the shards found nothing, 1 when they found
something, 2 on bad arguments or input (a file that cannot be read, is
not a shard's JSON output or is of another run; a shard missing or
given twice).

Flags:
`

// Run parses the flags and merges.
func (c *MergeCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("merge", flag.ContinueOnError)
	format := fset.String("format", "json", "output `format`: json, sarif or github")
	if help, err := parseFlags(c.env, "merge", fset, args, func(w io.Writer) {
		fmt.Fprint(w, mergeUsage)
		printDefaults(w, fset)
	}); help || err != nil {
		return err
	}
	switch *format {
	case "json", "sarif", "github":
	default:
		return usageErrorf("unknown format %q (want json, sarif or github)", *format)
	}
	if fset.NArg() == 0 {
		return usageErrorf("no files; give the --format json output of every shard")
	}
	diags, err := mergeShards(fset.Args(), c.env.Dir)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var out bytes.Buffer // nothing printed unless all of it is
	if err := writeDiagnostics(&out, *format, "", diags, nil); err != nil {
		return err
	}
	if _, err := c.env.Stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if len(diags) > 0 {
		return errSilentFailure
	}
	return nil
}

// shardPart is what a shard's JSON output says of the shard.
type shardPart struct {
	K int `json:"k"`
	N int `json:"n"`
	// Run is a digest of what the shards of one check share (see
	// runFingerprint); Version is modls's.
	Run     string `json:"run"`
	Version string `json:"version"`
	// Packages are the import paths of the root packages the shard checked.
	Packages []string `json:"packages"`
}

// shardFlag is --shard K/N.
type shardFlag checker.Shard

func (s *shardFlag) String() string {
	if s == nil || s.N == 0 {
		return ""
	}
	return checker.Shard(*s).String()
}

func (s *shardFlag) Set(v string) error {
	sh, err := checker.ParseShard(v)
	if err != nil {
		return err
	}
	*s = shardFlag(sh)
	return nil
}

// runFingerprint is a digest of everything the shards of one check must
// agree on beside N and modls's version: the partition (every root
// package's import path and size), the rules and their severities, the
// baseline's contents and --new-from-rev. It names no path of the
// machine, so shards checked out at different paths agree.
func runFingerprint(partition string, cfg *checker.Config, baseline []byte, newFromRev string) string {
	h := sha256.New()
	rules, _ := json.Marshal(cfg.Rules) // map keys sorted
	base := sha256.Sum256(baseline)
	fmt.Fprintf(h, "partition %s\nrules %s\nbaseline %x %d\nnew-from-rev %q\n", partition, rules, base, len(baseline), newFromRev)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// baselineBytes is the baseline file's contents for the fingerprint (it
// was read once already; nil without one).
func (c *CheckCommand) baselineBytes(path string) []byte {
	if path == "" {
		return nil
	}
	data, _ := os.ReadFile(c.abs(path))
	return data
}

// printedOrder sorts findings whose file names are as printed (relative
// to the directory of the check) as the checker sorts absolute ones. For
// files below the directory it is the checker's order; for others (../x)
// it is the order modls merge, which sees only printed names, can
// reproduce.
func printedOrder(ds []checker.Diagnostic) []checker.Diagnostic {
	return checker.SortDiagnostics(ds)
}

// mergeShards reads the shards' outputs and returns their findings
// together, checking that they are every shard of one run, once.
func mergeShards(files []string, dir string) ([]checker.Diagnostic, error) {
	type shardFile struct {
		name string
		part *shardPart
	}
	var first *shardFile
	byK := map[int]string{}
	owner := map[string]string{} // package → file
	var diags []checker.Diagnostic
	for _, name := range files {
		doc, err := readShard(name, dir)
		if err != nil {
			return nil, err
		}
		p := doc.Shard
		if p.Version != version {
			return nil, fmt.Errorf("%s: written by modls %s, merged by modls %s; merge with the version that checked", name, p.Version, version)
		}
		if first == nil {
			first = &shardFile{name, p}
		} else {
			if p.N != first.part.N {
				return nil, fmt.Errorf("%s: shard %d/%d, but %s is shard %d/%d; the shards of one run have the same N", name, p.K, p.N, first.name, first.part.K, first.part.N)
			}
			if p.Run != first.part.Run {
				return nil, fmt.Errorf("%s: a shard of another run than %s (other packages, rules, baseline or --new-from-rev)", name, first.name)
			}
		}
		if prev, ok := byK[p.K]; ok {
			return nil, fmt.Errorf("%s: shard %d/%d is given twice (%s too)", name, p.K, p.N, prev)
		}
		byK[p.K] = name
		for _, pkg := range p.Packages {
			if prev, ok := owner[pkg]; ok {
				return nil, fmt.Errorf("%s: package %s is in %s too", name, pkg, prev)
			}
			owner[pkg] = name
		}
		diags = append(diags, doc.Diagnostics...)
	}
	var missing []int
	for k := 1; k <= first.part.N; k++ {
		if _, ok := byK[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("shard %d/%d is missing (%d of %d given)", missing[0], first.part.N, len(byK), first.part.N)
	}
	return diags, nil
}

// readShard reads one shard's JSON output.
func readShard(name, dir string) (*jsonOutput, error) {
	path := name
	if dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty: the shard's check printed nothing (it failed, or did not run)", name)
	}
	var probe struct {
		Schema string          `json:"$schema"`
		Runs   json.RawMessage `json:"runs"`
	}
	if json.Unmarshal(data, &probe) == nil && (probe.Runs != nil || probe.Schema != "") {
		return nil, fmt.Errorf("%s: a SARIF log, not a shard's output; shards print --format json and merge --format sarif converts", name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc jsonOutput
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not the --format json output of modls check: %v", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: not the --format json output of modls check: more than one document", name)
	}
	if doc.Diagnostics == nil {
		return nil, fmt.Errorf("%s: not the --format json output of modls check: no diagnostics", name)
	}
	if doc.Shard == nil {
		return nil, fmt.Errorf("%s: the output of an unsharded check; merge joins those of modls check --shard K/N --format json", name)
	}
	if p := doc.Shard; p.N < 1 || p.K < 1 || p.K > p.N || p.Run == "" {
		return nil, fmt.Errorf("%s: shard %d/%d: not a shard of a modls check", name, p.K, p.N)
	}
	return &doc, nil
}
