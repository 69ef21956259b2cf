// Command cacheport measures a modls cache moving between checkouts, as
// between CI runners: on a generated workspace, a cold `modls check` at one
// path, `modls cache export`, a copy of the tree at another path with its
// own empty GOCACHE, `modls cache import` there, and the warm check at the
// other path. It reports the export file's size, the export and import
// times, the warm check's wall time and hit ratio (packages answered from
// the cache, from MODLS_DEBUG=timing) against the cold check, and what
// reading the modls executable for its digest costs. Medians of -runs
// runs, with the load average.
//
//	go run ./bench/cacheport -n 400 -runs 3
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/bench/internal/figures"
)

func main() {
	n := flag.Int("n", 400, "modules in the generated workspace")
	runs := flag.Int("runs", 3, "runs per figure (the median is reported)")
	fwRoot := flag.String("framework", ".", "the modls repository directory")
	flag.Parse()
	fmt.Printf("load average at start: %s\n", figures.LoadAverage())
	if err := run(*n, *runs, *fwRoot); err != nil {
		fmt.Fprintln(os.Stderr, "cacheport:", err)
		os.Exit(1)
	}
	fmt.Printf("load average at end: %s\n", figures.LoadAverage())
}

type result struct {
	cold, warmHere, export, importT, warmThere, exeDigest time.Duration
	goList                                                time.Duration // of the warm check at B
	size                                                  int64
	packages, missed                                      int
	same                                                  bool
}

func run(n, runs int, fwRoot string) error {
	tmp, err := os.MkdirTemp("", "cacheport-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	modls, err := figures.BuildModls(fwRoot, tmp)
	if err != nil {
		return err
	}
	var rs []result
	for r := 0; r < runs; r++ {
		res, err := once(filepath.Join(tmp, fmt.Sprint(r)), modls, n, fwRoot)
		if err != nil {
			return err
		}
		rs = append(rs, res)
	}
	med := func(f func(result) time.Duration) string {
		var ds []time.Duration
		for _, r := range rs {
			ds = append(ds, f(r))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return round(ds[len(ds)/2])
	}
	var sizes []float64
	for _, r := range rs {
		sizes = append(sizes, float64(r.size))
	}
	fmt.Printf("workspace: %d modules; %d runs; medians\n", n, runs)
	fmt.Printf("%-44s %10s\n", "cold check at path A (empty caches)", med(func(r result) time.Duration { return r.cold }))
	fmt.Printf("%-44s %10s\n", "warm check at path A (same cache)", med(func(r result) time.Duration { return r.warmHere }))
	fmt.Printf("%-44s %10s\n", "modls cache export", med(func(r result) time.Duration { return r.export }))
	fmt.Printf("%-44s %8.1f MiB\n", "export file", figures.Median(sizes)/(1<<20))
	fmt.Printf("%-44s %10s\n", "modls cache import (into an empty cache)", med(func(r result) time.Duration { return r.importT }))
	fmt.Printf("%-44s %10s\n", "warm check at path B (imported cache)", med(func(r result) time.Duration { return r.warmThere }))
	fmt.Printf("%-44s %10s\n", "  of which go list (empty GOCACHE at B)", med(func(r result) time.Duration { return r.goList }))
	fmt.Printf("%-44s %10s\n", "reading the modls executable for its digest", med(func(r result) time.Duration { return r.exeDigest }))
	for i, r := range rs {
		fmt.Printf("run %d: at path B %d of %d packages from the cache (hit ratio %.1f%%); output the same as at A: %v\n",
			i+1, r.packages-r.missed, r.packages, 100*float64(r.packages-r.missed)/float64(max(r.packages, 1)), r.same)
	}
	return nil
}

var (
	checkedRe  = regexp.MustCompile(`check (\d+) packages`)
	goListRe   = regexp.MustCompile(`go list ([0-9.]+[a-zµ]+)`)
	packagesRe = regexp.MustCompile(`in (\d+) packages`)
)

func once(dir, modls string, n int, fwRoot string) (result, error) {
	var res result
	a := filepath.Join(dir, "a", "ws")
	b := filepath.Join(dir, "b", "elsewhere", "ws")
	if err := genworkspace.Generate(a, n, genworkspace.Options{Framework: fwRoot}); err != nil {
		return res, err
	}
	if err := os.CopyFS(b, os.DirFS(a)); err != nil {
		return res, err
	}
	envA := append(os.Environ(), "GOCACHE="+filepath.Join(dir, "gocache-a"), "MODLS_CACHE="+filepath.Join(dir, "a.db"), "GOFLAGS=")
	envB := append(os.Environ(), "GOCACHE="+filepath.Join(dir, "gocache-b"), "MODLS_CACHE="+filepath.Join(dir, "b.db"), "GOFLAGS=")
	outA, _, d, err := measure(a, envA, modls, "check", "./...")
	if err != nil {
		return res, err
	}
	res.cold = d
	if _, _, res.warmHere, err = measure(a, envA, modls, "check", "./..."); err != nil {
		return res, err
	}
	export := filepath.Join(dir, "ci-cache.db")
	if _, _, res.export, err = measure(a, envA, modls, "cache", "export", export); err != nil {
		return res, err
	}
	st, err := os.Stat(export)
	if err != nil {
		return res, err
	}
	res.size = st.Size()
	if _, _, res.importT, err = measure(b, envB, modls, "cache", "import", export); err != nil {
		return res, err
	}
	outB, stderr, d, err := measure(b, append(envB, "MODLS_DEBUG=timing"), modls, "check", "./...")
	if err != nil {
		return res, err
	}
	res.warmThere = d
	res.same = bytes.Equal(outA, outB)
	m := packagesRe.FindStringSubmatch(stderr)
	if m == nil {
		return res, fmt.Errorf("no package count in:\n%s", stderr)
	}
	res.packages, _ = strconv.Atoi(m[1])
	if m := checkedRe.FindStringSubmatch(stderr); m != nil {
		res.missed, _ = strconv.Atoi(m[1])
	}
	if m := goListRe.FindStringSubmatch(stderr); m != nil {
		res.goList, _ = time.ParseDuration(m[1])
	}
	start := time.Now()
	f, err := os.Open(modls)
	if err != nil {
		return res, err
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	res.exeDigest = time.Since(start)
	return res, err
}

// measure runs a command whose exit status 0 or 1 (findings) is success.
func measure(dir string, env []string, argv ...string) (stdout []byte, stderr string, wall time.Duration, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
			return nil, "", 0, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, errOut.String())
		}
	}
	return out.Bytes(), errOut.String(), wall, nil
}

func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
