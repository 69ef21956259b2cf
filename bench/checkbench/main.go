// Command checkbench measures `modls check` against `go vet` on a generated
// workspace, in one run, in three states: cold (no caches of either: a new
// GOCACHE and a new modls cache), warm (the same command again, nothing
// changed) and after one file is edited. It also times checking a single
// module: with a cold modls cache, with a warm one (after the check of the
// whole tree; the module's own listing is not recorded yet) and again. Each figure is the median of -runs runs, with the peak RSS of the
// process tree's largest process.
//
//	go run ./bench/checkbench -n 100 -runs 3
//	go run ./bench/checkbench -n 10,100,400,1000 -runs 3
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/modls/modls/bench/genworkspace"
	"github.com/modls/modls/bench/internal/figures"
)

type sample struct {
	wall time.Duration
	rss  int64 // KiB
}

func main() {
	sizes := flag.String("n", "100", "modules in the generated workspace; a comma-separated list measures each size in turn")
	runs := flag.Int("runs", 3, "runs per figure (the median is reported)")
	fwRoot := flag.String("framework", ".", "the modls repository directory")
	flag.Parse()
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "checkbench: -n %q: want module counts such as 10,100,400\n", *sizes)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	fmt.Printf("load average at start: %s\n", figures.LoadAverage())
	for _, n := range ns {
		if err := run(n, *runs, *fwRoot); err != nil {
			fmt.Fprintln(os.Stderr, "checkbench:", err)
			os.Exit(1)
		}
		fmt.Printf("load average: %s\n\n", figures.LoadAverage())
	}
}

func run(n, runs int, fwRoot string) error {
	tmp, err := os.MkdirTemp("", "checkbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	modls, err := figures.BuildModls(fwRoot, tmp)
	if err != nil {
		return err
	}
	fmt.Printf("workspace: %d modules; %d runs per figure; medians\n", n, runs)
	fmt.Printf("%-28s %12s %12s %10s %10s %8s\n", "state", "go vet", "modls", "vet RSS", "modls RSS", "ratio")
	states := []string{"cold", "warm", "one file edited"}
	results := map[string]map[string][]sample{}
	for _, s := range states {
		results[s] = map[string][]sample{}
	}
	single := map[string][]sample{}
	for r := 0; r < runs; r++ {
		ws := filepath.Join(tmp, fmt.Sprintf("ws%d", r))
		if err := genworkspace.Generate(ws, n, genworkspace.Options{Framework: fwRoot}); err != nil {
			return err
		}
		for _, tool := range []string{"go vet", "modls"} {
			caches := filepath.Join(tmp, fmt.Sprintf("caches-%d-%s", r, strings.ReplaceAll(tool, " ", "")))
			env := append(os.Environ(), "GOCACHE="+filepath.Join(caches, "go"), "MODLS_CACHE="+filepath.Join(caches, "modls.db"), "GOFLAGS=")
			cmd := []string{"go", "vet", "./..."}
			if tool == "modls" {
				cmd = []string{modls, "check", "./..."}
			}
			for _, s := range states {
				if s == "one file edited" {
					f := filepath.Join(ws, "modules/standard", genworkspace.Name(n/2), "service.go")
					data, err := os.ReadFile(f)
					if err != nil {
						return err
					}
					stamp := fmt.Sprintf("\n// edited %d %s\n", time.Now().UnixNano(), tool)
					if err := os.WriteFile(f, append(data, stamp...), 0o644); err != nil {
						return err
					}
				}
				smp, err := measure(ws, env, cmd)
				if err != nil {
					return fmt.Errorf("%s (%s): %w", tool, s, err)
				}
				results[s][tool] = append(results[s][tool], smp)
			}
			if tool == "modls" {
				mod := "./modules/standard/" + genworkspace.Name(n/3) + "/..."
				smp, err := measure(ws, env, []string{modls, "check", mod})
				if err != nil {
					return err
				}
				single["warm"] = append(single["warm"], smp)
				// Again: the module's own listing is recorded now.
				smp, err = measure(ws, env, []string{modls, "check", mod})
				if err != nil {
					return err
				}
				single["again"] = append(single["again"], smp)
				coldEnv := append(os.Environ(), "MODLS_CACHE="+filepath.Join(tmp, fmt.Sprintf("single-%d.db", r)), "GOFLAGS=")
				smp, err = measure(ws, coldEnv, []string{modls, "check", mod})
				if err != nil {
					return err
				}
				single["cold"] = append(single["cold"], smp)
			}
		}
	}
	for _, s := range states {
		v, m := median(results[s]["go vet"]), median(results[s]["modls"])
		fmt.Printf("%-28s %12s %12s %8d M %8d M %7.1fx\n", s, round(v.wall), round(m.wall), v.rss/1024, m.rss/1024, float64(v.wall)/float64(m.wall))
	}
	cold := median(results["cold"]["modls"])
	fmt.Printf("%-28s %12s %12s\n", "modls cold per module", "", round(cold.wall/time.Duration(n)))
	fmt.Println()
	for _, s := range []string{"cold", "warm", "again"} {
		m := median(single[s])
		label := "one module, modls cache " + s
		if s == "again" {
			label = "one module, checked again"
		}
		fmt.Printf("%-28s %12s %12s %8s   %8d M\n", label, "", round(m.wall), "", m.rss/1024)
	}
	return nil
}

// measure runs a command whose exit status 0 or 1 (findings) is success.
func measure(dir string, env, argv []string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
			return sample{}, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
		}
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return sample{wall: wall, rss: rss}, nil
}

func median(ss []sample) sample {
	if len(ss) == 0 {
		return sample{}
	}
	walls := make([]sample, len(ss))
	copy(walls, ss)
	sort.Slice(walls, func(i, j int) bool { return walls[i].wall < walls[j].wall })
	rss := make([]int64, len(ss))
	for i, s := range ss {
		rss[i] = s.rss
	}
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	return sample{wall: walls[len(walls)/2].wall, rss: rss[len(rss)/2]}
}

func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
