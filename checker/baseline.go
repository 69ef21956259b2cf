package checker

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Baseline records the findings a team has accepted, so that a check
// reports only new ones. Findings are matched by file, rule and message,
// not by line, so edits elsewhere in a file do not bring them back; a
// finding recorded N times absorbs at most N findings.
type Baseline struct {
	root   string
	counts map[string]int
}

type baselineFile struct {
	Version  int             `json:"version"`
	Findings []baselineEntry `json:"findings"`
}

type baselineEntry struct {
	File    string `json:"file"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// WriteBaseline records diags, with files relative to dir, in path.
func WriteBaseline(path, dir string, diags []Diagnostic) error {
	counts := map[baselineEntry]int{}
	for _, d := range diags {
		counts[baselineEntry{File: relSlash(dir, d.File), Rule: d.Rule, Message: d.Message}]++
	}
	bf := baselineFile{Version: 1, Findings: []baselineEntry{}}
	for e, n := range counts {
		e.Count = n
		bf.Findings = append(bf.Findings, e)
	}
	sort.Slice(bf.Findings, func(i, j int) bool {
		a, b := bf.Findings[i], bf.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	data, err := json.MarshalIndent(bf, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return os.Rename(tmp, path)
}

// ReadBaseline reads a baseline written by WriteBaseline. Its file names
// are relative to the directory holding it.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	var bf baselineFile
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("baseline %s: not a modls baseline: %v", path, err)
	}
	if bf.Version != 1 {
		return nil, fmt.Errorf("baseline %s: unknown version %d", path, bf.Version)
	}
	b := &Baseline{root: filepath.Dir(path), counts: map[string]int{}}
	for _, e := range bf.Findings {
		b.counts[e.File+"\x00"+e.Rule+"\x00"+e.Message] += max(e.Count, 1)
	}
	return b, nil
}

// New returns the findings the baseline does not account for.
func (b *Baseline) New(dir string, diags []Diagnostic) []Diagnostic {
	left := map[string]int{}
	for k, v := range b.counts {
		left[k] = v
	}
	var out []Diagnostic
	for _, d := range diags {
		k := relSlash(b.root, d.File) + "\x00" + d.Rule + "\x00" + d.Message
		if left[k] > 0 {
			left[k]--
			continue
		}
		out = append(out, d)
	}
	return out
}
