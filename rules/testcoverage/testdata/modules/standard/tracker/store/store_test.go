package store

import "testing"

func TestRecent(t *testing.T) {
	if got := (Store{}).Recent(); got != nil {
		t.Fatal(got)
	}
}
