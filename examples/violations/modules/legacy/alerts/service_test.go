package alerts

import (
	"context"
	"testing"
)

func TestSendCounts(t *testing.T) {
	svc := &Service{}
	if _, err := svc.Send(context.Background(), ""); err == nil {
		t.Error("Send of an empty alert succeeded")
	}
	if n, err := svc.Send(context.Background(), "disk full"); err != nil || n != 1 {
		t.Errorf("Send = %d, %v", n, err)
	}
}
