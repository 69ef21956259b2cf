package billing

import (
	"context"
	"errors"
	"testing"

	"github.com/modls/modls/framework"
)

func code(err error) string {
	var fe *framework.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}

func TestManifestIsValid(t *testing.T) {
	man, err := framework.ParseManifest(New().Manifest())
	if err != nil {
		t.Fatal(err)
	}
	if man.Name != "standard.billing" {
		t.Errorf("name = %q", man.Name)
	}
}

func TestArgumentsAreValidated(t *testing.T) {
	ctx := context.Background()
	svc := &Service{settings: &Settings{MaxCents: 100}}
	if _, err := svc.Create(ctx, "", 10); code(err) != framework.CodeInvalidArgument {
		t.Errorf("Create with no customer: %v", err)
	}
	if _, err := svc.Create(ctx, "acme", 101); code(err) != framework.CodeInvalidArgument {
		t.Errorf("Create above max_cents: %v", err)
	}
	if _, err := svc.Get(ctx, 0); code(err) != framework.CodeInvalidArgument {
		t.Errorf("Get(0): %v", err)
	}
	if err := svc.MarkPaid(ctx, -1); code(err) != framework.CodeInvalidArgument {
		t.Errorf("MarkPaid(-1): %v", err)
	}
	if err := svc.Refund(ctx, 0); code(err) != framework.CodeInvalidArgument {
		t.Errorf("Refund(0): %v", err)
	}
}
