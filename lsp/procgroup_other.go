//go:build !unix

package lsp

import "os/exec"

// ownGroup does nothing where process groups are not available: the go
// command alone is killed.
func ownGroup(cmd *exec.Cmd) {}
