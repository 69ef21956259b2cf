package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/modls/modls/checker"
)

// CacheCommand moves the results cache between machines: export writes
// its portable part to a file, import merges such a file into the cache.
type CacheCommand struct{ env env }

const cacheUsage = `usage: modls cache export FILE
       modls cache import FILE

Moves the results cache of modls check between checkouts and machines (a CI
runner's cache to the next runner). The cache's keys are of content, not of
paths: an entry written for one checkout answers another checkout of the
same tree, wherever it is.

  export FILE   write the cache's findings, facts and export data to FILE
                (an SQLite file), whole or not at all
  import FILE   merge FILE, written by export, into the cache: every entry
                the cache lacks, or none. A damaged file, another program's,
                or one of another cache schema is refused and the cache is
                left as it was

The cache is $MODLS_CACHE (a file, or a directory holding cache.db), else
modls/cache.db in the user's cache directory. Pointing MODLS_CACHE at a
restored directory works as well as importing.

An entry is used only when its content key matches, so a stale cache cannot
change an answer; but a forged one could add or hide findings: import only
caches written by trusted branches.
`

// Run parses the subcommand and runs it.
func (c *CacheCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("cache", flag.ContinueOnError)
	if help, err := parseFlags(c.env, "cache", fset, args, func(w io.Writer) { fmt.Fprint(w, cacheUsage) }); help || err != nil {
		return err
	}
	if fset.NArg() == 0 {
		return flagError("cache", errors.New("missing subcommand: export or import"))
	}
	sub, rest := fset.Arg(0), fset.Args()[1:]
	if sub != "export" && sub != "import" {
		return flagError("cache", fmt.Errorf("unknown subcommand %q: export or import", sub))
	}
	subFlags := flag.NewFlagSet("cache "+sub, flag.ContinueOnError)
	if help, err := parseFlags(c.env, "cache", subFlags, rest, func(w io.Writer) { fmt.Fprint(w, cacheUsage) }); help || err != nil {
		return err
	}
	if subFlags.NArg() != 1 {
		return flagError("cache", fmt.Errorf("cache %s takes one FILE", sub))
	}
	file := subFlags.Arg(0)
	if !filepath.IsAbs(file) && c.env.Dir != "" {
		file = filepath.Join(c.env.Dir, file)
	}
	path, err := checker.DefaultCachePath()
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if path == "" {
		return usageErrorf("MODLS_CACHE is off: there is no cache to %s", sub)
	}
	if sub == "export" {
		st, err := checker.ExportCache(ctx, path, file)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		fmt.Fprintf(c.env.Stdout, "exported %d results, %d facts and %d export data entries (%s) to %s\n",
			st.Results, st.Facts, st.Exports, byteSize(st.Bytes), subFlags.Arg(0))
		return nil
	}
	st, err := checker.ImportCache(ctx, path, file)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	fmt.Fprintf(c.env.Stdout, "imported %d results, %d facts and %d export data entries into %s\n", st.Results, st.Facts, st.Exports, path)
	return nil
}

// byteSize writes a size in KiB or MiB.
func byteSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}
