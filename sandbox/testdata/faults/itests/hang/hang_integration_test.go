//go:build integration

// Package hang holds an integration test that never finishes.
package hang

import (
	"testing"
	"time"
)

func TestHangs(t *testing.T) {
	time.Sleep(time.Hour) // marker: waits for a reply that never comes
}
