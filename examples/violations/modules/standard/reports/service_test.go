package reports

import (
	"context"
	"testing"

	"github.com/modls/modls/framework"
)

func TestMonthlyNeedsACustomer(t *testing.T) {
	svc := &Service{settings: &Settings{Title: "t"}}
	_, err := svc.Monthly(context.Background(), "  ")
	if fe := framework.AsError(err); err == nil || fe.Code != framework.CodeInvalidArgument {
		t.Errorf("Monthly(blank): %v, want invalid_argument", err)
	}
}
