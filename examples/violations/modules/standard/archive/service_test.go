package archive

import (
	"context"
	"testing"
)

func TestKeepRefusesASecondDocument(t *testing.T) {
	svc := New().svc
	ctx := context.Background()
	if err := svc.Keep(ctx, "a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := svc.Keep(ctx, "a", []byte("2")); err == nil {
		t.Error("a second Keep under the same key succeeded")
	}
}
