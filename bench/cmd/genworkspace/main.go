// Command genworkspace writes a synthetic framework workspace for
// benchmarks:
//
//	go run ./bench/cmd/genworkspace -n 100 -o /tmp/ws
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/modls/modls/bench/genworkspace"
)

func main() {
	n := flag.Int("n", 100, "number of modules")
	out := flag.String("o", "", "output `directory` (must not exist or be empty)")
	fwRoot := flag.String("framework", ".", "the modls repository `directory` providing the framework")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genworkspace: -o is required")
		os.Exit(2)
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "genworkspace: %s is not empty\n", *out)
		os.Exit(2)
	}
	if err := genworkspace.Generate(*out, *n, genworkspace.Options{Framework: *fwRoot}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
