// Command gendocs writes docs/rules/ from the rules' documentation:
//
//	go run ./internal/gendocs
//
// TestDocsUpToDate in package rules fails when the files are stale.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/modls/modls/rules"
)

func main() {
	dir := filepath.Join("docs", "rules")
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := rules.DocFiles()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			os.Exit(1)
		}
	}
}
