//go:build integration

package scribble

import (
	"os"
	"testing"
)

func TestScribbles(t *testing.T) {
	if err := os.WriteFile(Target()+".test", []byte("written by a test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
