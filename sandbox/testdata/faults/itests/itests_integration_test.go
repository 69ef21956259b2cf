//go:build integration

package itests

import "testing"

func TestPasses(t *testing.T) {
	t.Log("a passing test may log")
}

func TestSkips(t *testing.T) {
	t.Skip("needs a mail server")
}

func TestFails(t *testing.T) {
	got, want := 2+2, 5
	if got != want {
		t.Errorf("sum = %d; want %d", got, want) // marker: the failing line
	}
	t.Errorf("a second failure")
}

func TestPanics(t *testing.T) {
	var counts map[string]int
	Count(counts, "boom")
}

// TestAfterPanic never runs: the panic before it ends the test binary.
func TestAfterPanic(t *testing.T) {}
