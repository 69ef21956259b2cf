package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/modls/modls/rules"
)

// RulesCommand lists the rules or prints one rule's page.
type RulesCommand struct{ env env }

// Run prints the list, or the page of each rule named.
func (c *RulesCommand) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("rules", flag.ContinueOnError)
	markdown := fset.Bool("markdown", false, "print pages as Markdown (as in docs/rules)")
	if help, err := parseFlags(c.env, "rules", fset, args, func(w io.Writer) {
		fmt.Fprint(w, `usage: modls rules [--markdown] [ID ...]

Without arguments, lists every rule with its default severity. With rule IDs
(MOD005) or names (db-outside-session), prints each rule's page: what it
does, why it matters, an example, what to write instead, and its fixes.

Examples:
	modls rules
	modls rules MOD005
	modls rules --markdown sql-invalid

Flags:
`)
		printDefaults(w, fset)
	}); help || err != nil {
		return err
	}
	if fset.NArg() == 0 {
		tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tFIX\tSUMMARY")
		for _, r := range rules.All() {
			fix := "-"
			if len(r.Doc.Fixes) > 0 {
				fix = "unsafe"
				for _, f := range r.Doc.Fixes {
					if f.Safe {
						fix = "safe"
					}
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Doc.ID, r.Doc.Name, r.Doc.Severity, fix, r.Doc.Title)
		}
		return tw.Flush()
	}
	for i, arg := range fset.Args() {
		r, ok := findRule(arg)
		if !ok {
			return usageErrorf("no rule %q; run 'modls rules' for the list", arg)
		}
		if i > 0 {
			fmt.Fprintln(c.env.Stdout)
		}
		if *markdown {
			fmt.Fprint(c.env.Stdout, r.Doc.Markdown())
		} else {
			fmt.Fprint(c.env.Stdout, r.Doc.Text())
		}
	}
	return nil
}

// findRule accepts an ID in any case or a rule's name.
func findRule(s string) (rules.Rule, bool) {
	if r, ok := rules.ByID(strings.ToUpper(s)); ok {
		return r, true
	}
	for _, r := range rules.All() {
		if r.Doc.Name == s {
			return r, true
		}
	}
	return rules.Rule{}, false
}
