package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/modls/modls/checker"
	"github.com/modls/modls/codeactions"
	"github.com/modls/modls/internal/textreport"
)

// exitCouldNotWrite is the exit code of `modls check --fix` when a fix
// could not be written (a file changed during the run, or is read-only,
// immutable or in a directory that cannot be written).
const exitCouldNotWrite = 3

// maxFixRounds bounds --fix: a fix may make another possible (or, from a
// faulty rule, undo one), so the loop stops after this many rounds.
const maxFixRounds = 4

// fixPlan is what --fix would write: the content of each file it touches
// as analysed and as fixed, and the sets of files that must be written
// together (the files of one fix, joined with those of any fix sharing a
// file with it).
type fixPlan struct {
	old     map[string][]byte // nil entry: the file does not exist
	new     map[string][]byte
	sets    [][]string
	fixes   int
	skipped []string // files whose fixes could not be planned
}

// selectFixes turns the fixes of the findings into codeactions fixes, one
// per finding: its first safe fix or, if unsafe is set and it has none,
// its first unsafe one. (A finding's fixes are alternatives.)
func selectFixes(diags []checker.Diagnostic, unsafe bool) []codeactions.Fix {
	var fixes []codeactions.Fix
	for _, d := range diags {
		safe, unsafeFix := textreport.Applied(d)
		var pick *checker.Fix
		switch {
		case safe >= 0:
			pick = &d.Fixes[safe]
		case unsafe && unsafeFix >= 0:
			pick = &d.Fixes[unsafeFix]
		default:
			continue
		}
		cf := codeactions.Fix{Rule: d.Rule, Title: pick.Message, Safe: pick.Safe}
		for _, e := range pick.Edits {
			cf.Edits = append(cf.Edits, codeactions.Edit{File: e.File, Start: e.Offset, End: e.EndOffset, New: e.NewText})
		}
		fixes = append(fixes, cf)
	}
	return fixes
}

// planFixes computes what --fix writes. Every file a fix edits is read
// once, and the tree is checked again with those contents as an overlay,
// so that the fixes' offsets are those of exactly the bytes that will be
// compared with the file before it is replaced. Later rounds check the
// fixed contents, still in memory.
func (c *CheckCommand) planFixes(ctx context.Context, opts checker.Options, res *checker.Result, unsafe bool) (*fixPlan, error) {
	p := &fixPlan{old: map[string][]byte{}, new: map[string][]byte{}}
	parent := map[string]string{}
	var find func(string) string
	find = func(f string) string {
		if parent[f] == "" || parent[f] == f {
			parent[f] = f
			return f
		}
		r := find(parent[f])
		parent[f] = r
		return r
	}
	read := func(name string) {
		if _, ok := p.new[name]; ok {
			return
		}
		data, err := os.ReadFile(name)
		if err != nil {
			data = nil
		}
		p.old[name], p.new[name] = data, data
	}
	for _, f := range selectFixes(res.Diagnostics, unsafe) {
		for _, e := range f.Edits {
			read(e.File)
		}
	}
	var conflicts []codeactions.Conflict
	for round := 0; round < maxFixRounds && len(p.new) > 0; round++ {
		// Check the contents the fixes will be computed from: as read
		// (first round) or as the fixes so far left them.
		overlay := maps.Clone(opts.Overlay)
		if overlay == nil {
			overlay = map[string][]byte{}
		}
		for name, data := range p.new {
			if data != nil {
				overlay[name] = data
			}
		}
		o := opts
		o.Overlay = overlay
		r, err := checker.Check(ctx, o)
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		// A fix of a file not read yet waits for a round that checks it
		// as read.
		var fixes []codeactions.Fix
		more := false
		for _, f := range selectFixes(r.Diagnostics, unsafe) {
			known := true
			for _, e := range f.Edits {
				if _, ok := p.new[e.File]; !ok {
					read(e.File)
					known, more = false, true
				}
			}
			if known {
				fixes = append(fixes, f)
			}
		}
		conflicts = nil
		if len(fixes) > 0 {
			changed, cs, err := codeactions.Apply(func(name string) ([]byte, error) {
				if data := p.new[name]; data != nil {
					return data, nil
				}
				return nil, fs.ErrNotExist
			}, fixes)
			if err != nil {
				return nil, err
			}
			conflicts = cs
			for name, data := range changed {
				p.new[name] = data
			}
			p.fixes += len(fixes) - len(cs)
			for _, f := range fixes {
				files := f.Files()
				for _, other := range files[1:] {
					parent[find(other)] = find(files[0])
				}
			}
		}
		if len(conflicts) == 0 && !more {
			break
		}
	}
	for _, cf := range conflicts {
		fmt.Fprintf(c.env.Stderr, "modls check: %s\n", cf)
	}
	bySet := map[string][]string{}
	for name := range p.new {
		if !bytes.Equal(p.old[name], p.new[name]) || (p.old[name] == nil) != (p.new[name] == nil) {
			r := find(name)
			bySet[r] = append(bySet[r], name)
		}
	}
	for _, set := range bySet {
		slices.Sort(set)
		p.sets = append(p.sets, set)
	}
	slices.SortFunc(p.sets, func(a, b []string) int { return cmpString(a[0], b[0]) })
	return p, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeFixes writes the plan's sets, each all or nothing, and reports
// each set that could not be written. It returns how many files it wrote
// and whether any set failed.
func (c *CheckCommand) writeFixes(ctx context.Context, p *fixPlan) (written int, failed bool) {
	for _, set := range p.sets {
		if ctx.Err() != nil {
			fmt.Fprintf(c.env.Stderr, "modls check: interrupted; %d files were not written\n", countFiles(p.sets)-written)
			return written, true
		}
		var changes []checker.Change
		for _, name := range set {
			changes = append(changes, checker.Change{File: name, Exists: p.old[name] != nil, Old: p.old[name], New: p.new[name]})
		}
		if err := checker.WriteChanges(changes); err != nil {
			var we *checker.WriteError
			if errors.As(err, &we) {
				msg := fmt.Sprintf("%s: not fixed: %s", c.rel(we.File), we.Reason)
				if len(set) > 1 {
					msg += fmt.Sprintf(" (nor the %d other files of its fix)", len(set)-1)
				}
				fmt.Fprintf(c.env.Stderr, "modls check: %s\n", msg)
			} else {
				fmt.Fprintf(c.env.Stderr, "modls check: not fixed: %v\n", err)
			}
			failed = true
			continue
		}
		written += len(set)
	}
	return written, failed
}

func countFiles(sets [][]string) int {
	n := 0
	for _, s := range sets {
		n += len(s)
	}
	return n
}

// rel names a file as modls prints it: relative to the directory checked.
func (c *CheckCommand) rel(name string) string {
	if r, err := filepath.Rel(c.dir, name); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return name
}

// printDiff writes the plan as a unified diff that `patch -p1` applies in
// the directory checked.
func (c *CheckCommand) printDiff(p *fixPlan) error {
	for _, set := range p.sets {
		for _, name := range set {
			rel := c.rel(name)
			oldName, newName := "a/"+rel, "b/"+rel
			if p.old[name] == nil {
				oldName = "/dev/null"
			}
			if _, err := fmt.Fprint(c.env.Stdout, codeactions.Unified(oldName, newName, p.old[name], p.new[name])); err != nil {
				return err
			}
		}
	}
	return nil
}
