package sketch

import (
	"context"
	"testing"

	"github.com/modls/modls/framework"
)

func TestDraft(t *testing.T) {
	svc := New().svc
	if n, err := svc.Draft(context.Background(), "one"); err != nil || n != 1 {
		t.Errorf("Draft = %d, %v", n, err)
	}
	if _, err := framework.ParseManifest(New().Manifest()); err != nil {
		t.Error(err)
	}
}
