package itests

import "testing"

// TestUnit is a unit test: the sandbox runs only integration tests.
func TestUnit(t *testing.T) {
	t.Fatal("the sandbox ran a unit test")
}
