package lsp

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// validateModule checks every package of a module and its manifest, the
// way the scheduler checks edited files, and counts the problems.
func validateModule(ctx context.Context, s *Server, args commandArgs, p *progress) (outcome, error) {
	if _, err := os.Stat(args.Dir); err != nil {
		return outcome{}, err
	}
	var files []string
	err := filepath.WalkDir(args.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != args.Dir && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") || d.Name() == "manifest.json" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return outcome{}, err
	}
	if len(files) == 0 {
		return outcome{}, fmt.Errorf("%s holds no Go files and no manifest.json", args.Dir)
	}
	start := time.Now()
	p.report("checking %d files", len(files))
	s.sched.schedule(files...)
	if err := s.sched.waitIdle(ctx); err != nil {
		return outcome{}, err
	}
	counts := map[string]int{}
	total := 0
	s.mu.Lock()
	for path, r := range s.results {
		if !within(args.Dir, path) {
			continue
		}
		for _, d := range r.diags {
			counts[d.Severity]++
			total++
		}
	}
	s.mu.Unlock()
	name := moduleName(args.Dir)
	elapsed := time.Now().Sub(start)
	if total == 0 {
		return outcome{ok: true, title: "✓ valid " + seconds(elapsed), summary: fmt.Sprintf("%s: no problems", name)}, nil
	}
	var parts []string
	for _, sev := range []string{"error", "warning", "info"} {
		if n := counts[sev]; n > 0 {
			parts = append(parts, plural(n, sev))
		}
	}
	return outcome{
		title:   fmt.Sprintf("✗ %s", plural(total, "problem")),
		summary: fmt.Sprintf("%s: %s (%s)", name, plural(total, "problem"), strings.Join(parts, ", ")),
	}, nil
}

// skipDir tells whether a directory is never looked into.
func skipDir(name string) bool {
	switch name {
	case ".git", "vendor", "node_modules", "testdata":
		return true
	}
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
