package racks

import (
	"context"
	"testing"
)

func TestCount(t *testing.T) {
	if _, err := (&Service{}).Count(context.Background()); err != nil {
		t.Fatal(err)
	}
}
