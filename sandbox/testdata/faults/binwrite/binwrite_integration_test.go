//go:build integration

package binwrite

import "testing"

// TestRuns passes: it is the genuine test binary that the sandbox runs,
// not Start's replacement.
func TestRuns(t *testing.T) {}
