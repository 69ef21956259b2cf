//go:build !unix

package checker

// lockFile is a no-op where flock does not exist.
func lockFile(name string) (func(), error) { return func() {}, nil }
