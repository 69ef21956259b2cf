// Command genvscode writes the rule settings of the VS Code extension's
// package.json (contributes.configuration, property "modls.rules") from
// the rules' documentation:
//
//	go run ./internal/genvscode
//
// Every other part of package.json is kept as it is, in its order.
// TestPackageJSONUpToDate fails when the file is stale.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// packageJSON is the extension manifest, relative to the repository root.
var packageJSON = filepath.Join("editors", "vscode", "package.json")

func main() {
	path := packageJSON
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := run(path); err != nil {
		fmt.Fprintln(os.Stderr, "genvscode:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := Update(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}
