//go:build !linux

package checker

// immutable is Linux's file attributes only.
func immutable(path string) string { return "" }
