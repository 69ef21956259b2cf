// Command shardbench measures `modls check --shard K/N` on a generated
// workspace as CI runners that start empty run it: the unsharded check and
// each shard of N = 1, 2 and 4 run as processes of their own, one after
// another, each with an empty modls cache and an empty GOCACHE. It
// reports the unsharded check's wall time, the slowest shard's for each N
// against 1/N of the unsharded time, and the set-up every shard pays
// whatever its part: a shard with no packages (the listing, reading the
// files, the workspace model) and one with only the smallest package
// (that, and type-checking what the package imports: the parts of the
// standard library and the framework every package needs). It fails unless `modls merge` of every N's shards prints
// the unsharded output byte for byte, as JSON and as SARIF. Each figure is
// the median of -runs runs.
//
//	go run ./bench/shardbench -n 400 -runs 3
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/bench/internal/figures"
)

// huge is N for the set-up shards: more parts than packages, so that the
// K-th part holds the K-th largest package alone (none past the number of
// packages).
const huge = 100000

func main() {
	n := flag.Int("n", 400, "modules in the generated workspace")
	runs := flag.Int("runs", 3, "runs per figure (the median is reported)")
	shards := flag.String("shards", "1,2,4", "the numbers of shards to measure, comma-separated")
	fwRoot := flag.String("framework", ".", "the modls repository directory")
	flag.Parse()
	var ns []int
	for _, f := range strings.Split(*shards, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			fmt.Fprintf(os.Stderr, "shardbench: -shards %q: want shard counts such as 1,2,4\n", *shards)
			os.Exit(2)
		}
		ns = append(ns, k)
	}
	if *n < 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "shardbench: -n and -runs must be at least 1")
		os.Exit(2)
	}
	fmt.Printf("load average at start: %s\n", figures.LoadAverage())
	if err := run(*n, *runs, ns, *fwRoot); err != nil {
		fmt.Fprintln(os.Stderr, "shardbench:", err)
		os.Exit(1)
	}
	fmt.Printf("load average at end: %s\n", figures.LoadAverage())
}

type bench struct {
	tmp, modls, ws string
	fresh          int
	// keep has the next check reuse the caches of the one before.
	keep bool
}

func run(n, runs int, ns []int, fwRoot string) error {
	tmp, err := os.MkdirTemp("", "shardbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b := &bench{tmp: tmp, ws: filepath.Join(tmp, "ws")}
	if b.modls, err = figures.BuildModls(fwRoot, tmp); err != nil {
		return err
	}
	if err := genworkspace.Generate(b.ws, n, genworkspace.Options{Framework: fwRoot}); err != nil {
		return err
	}
	var unsharded, empty, single []float64
	slowest := map[int][]float64{}
	sizes := map[int]string{}
	smallest, k := "", 0
	for r := 0; r < runs; r++ {
		wall, wantJSON, err := b.check("check", "--format", "json", "./...")
		if err != nil {
			return err
		}
		unsharded = append(unsharded, wall.Seconds())
		// The SARIF to compare with, from the JSON check's cache; its time
		// is not a figure.
		b.keep = true
		_, wantSARIF, err := b.check("check", "--format", "sarif", "./...")
		if err != nil {
			return err
		}
		for _, sh := range ns {
			var files []string
			var worst time.Duration
			var counts []int
			for k := 1; k <= sh; k++ {
				wall, out, err := b.check("check", "--shard", fmt.Sprintf("%d/%d", k, sh), "--format", "json", "./...")
				if err != nil {
					return err
				}
				worst = max(worst, wall)
				pkgs, err := packagesOf(out)
				if err != nil {
					return fmt.Errorf("shard %d/%d: %v", k, sh, err)
				}
				counts = append(counts, len(pkgs))
				name := filepath.Join(tmp, fmt.Sprintf("shard-%d-%d.json", k, sh))
				if err := os.WriteFile(name, out, 0o644); err != nil {
					return err
				}
				files = append(files, name)
			}
			slowest[sh] = append(slowest[sh], worst.Seconds())
			sizes[sh] = fmt.Sprintf("%d-%d", slices.Min(counts), slices.Max(counts))
			for format, want := range map[string][]byte{"json": wantJSON, "sarif": wantSARIF} {
				_, got, err := b.check(append([]string{"merge", "--format", format}, files...)...)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, want) {
					return fmt.Errorf("merge --format %s of %d shards differs from the unsharded check's output", format, sh)
				}
			}
		}
		wall, out, err := b.check("check", "--shard", fmt.Sprintf("%d/%d", huge, huge), "--format", "json", "./...")
		if err != nil {
			return err
		}
		if pkgs, err := packagesOf(out); err != nil || len(pkgs) != 0 {
			return fmt.Errorf("shard %d/%d: %v packages (%v), want none", huge, huge, pkgs, err)
		}
		empty = append(empty, wall.Seconds())
		// The smallest contract package, which imports little: with more
		// parts than packages, the K-th largest package is alone in part K.
		if smallest == "" {
			if k, smallest, err = smallestContract(b.ws); err != nil {
				return err
			}
		}
		wall, out, err = b.check("check", "--shard", fmt.Sprintf("%d/%d", k, huge), "--format", "json", "./...")
		if err != nil {
			return err
		}
		if pkgs, err := packagesOf(out); err != nil || len(pkgs) != 1 || pkgs[0] != smallest {
			return fmt.Errorf("shard %d/%d: packages %v (%v), want %s alone", k, huge, pkgs, err, smallest)
		}
		single = append(single, wall.Seconds())
	}
	u := figures.Median(unsharded)
	setup := figures.Median(single)
	fmt.Printf("workspace: %d modules; each process with an empty modls cache and GOCACHE, one at a time; medians of %d runs\n", n, runs)
	fmt.Printf("unsharded cold check:                 %8.2fs\n", u)
	fmt.Printf("set-up, a shard with no packages:     %8.2fs  (listing, reading files, workspace model)\n", figures.Median(empty))
	fmt.Printf("set-up, a shard with one package:     %8.2fs  (and type-checking what %s imports)\n", setup, strings.TrimPrefix(smallest, genworkspace.ModulePath+"/"))
	fmt.Println()
	fmt.Printf("%-4s %10s %14s %14s %8s %18s\n", "N", "packages", "slowest shard", "unsharded/N", "ratio", "set-up+rest/N")
	for _, sh := range ns {
		s := figures.Median(slowest[sh])
		fmt.Printf("%-4d %10s %13.2fs %13.2fs %7.2fx %17.2fs\n", sh, sizes[sh], s, u/float64(sh), s/(u/float64(sh)), setup+(u-setup)/float64(sh))
	}
	fmt.Println("merged JSON and SARIF of every N: byte-identical to the unsharded check's")
	return nil
}

// check runs modls in the workspace with a new, empty modls cache and
// GOCACHE (those of the check before with keep), and returns its wall time and standard output; exit status 0
// or 1 (findings) is success.
func (b *bench) check(args ...string) (time.Duration, []byte, error) {
	if !b.keep {
		os.RemoveAll(filepath.Join(b.tmp, fmt.Sprintf("caches-%d", b.fresh)))
		b.fresh++
	}
	b.keep = false
	caches := filepath.Join(b.tmp, fmt.Sprintf("caches-%d", b.fresh))
	cmd := exec.Command(b.modls, args...)
	cmd.Dir = b.ws
	cmd.Env = append(os.Environ(), "GOCACHE="+filepath.Join(caches, "go"), "MODLS_CACHE="+filepath.Join(caches, "modls.db"), "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
			return 0, nil, fmt.Errorf("modls %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
	}
	return wall, stdout.Bytes(), nil
}

// smallestContract returns the smallest contract package of the
// workspace and its rank by size among all its packages (1 for the
// largest), sizes and ties as modls check --shard counts them: the bytes
// of the package's Go files, its tests' included, ties by import path.
func smallestContract(ws string) (int, string, error) {
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return 0, "", fmt.Errorf("go list: %v", err)
	}
	type pkg struct {
		ImportPath, Dir                    string
		GoFiles, TestGoFiles, XTestGoFiles []string
		size                               int64
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			return 0, "", err
		}
		for _, list := range [][]string{p.GoFiles, p.TestGoFiles, p.XTestGoFiles} {
			for _, f := range list {
				st, err := os.Stat(filepath.Join(p.Dir, f))
				if err != nil {
					return 0, "", err
				}
				p.size += st.Size()
			}
		}
		pkgs = append(pkgs, p)
	}
	slices.SortFunc(pkgs, func(a, b pkg) int {
		if a.size != b.size {
			return int(b.size - a.size)
		}
		return strings.Compare(a.ImportPath, b.ImportPath)
	})
	for i := len(pkgs) - 1; i >= 0; i-- {
		if strings.HasSuffix(pkgs[i].ImportPath, "/contract") {
			return i + 1, pkgs[i].ImportPath, nil
		}
	}
	return 0, "", fmt.Errorf("no contract package in %s", ws)
}

// packagesOf reads the packages a shard's JSON output says it checked.
func packagesOf(out []byte) ([]string, error) {
	var doc struct {
		Shard *struct {
			Packages []string `json:"packages"`
		} `json:"shard"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	if doc.Shard == nil {
		return nil, fmt.Errorf("no shard in the output")
	}
	return doc.Shard.Packages, nil
}
