// Package evil is a dependency that go.mod replaces with a directory
// outside the Go module: its package initialisation writes the file named
// in target.
package evil

import (
	_ "embed"
	"os"
	"strings"
)

//go:embed target
var target string

func init() {
	os.WriteFile(strings.TrimSpace(target), []byte("written by a replaced dependency\n"), 0o644)
}

// Answer is what the module uses.
func Answer() int { return 42 }
