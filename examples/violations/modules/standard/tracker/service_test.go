package tracker

import (
	"context"
	"errors"
	"testing"

	"github.com/modls/modls/framework"
)

func TestArgumentsAreValidated(t *testing.T) {
	ctx := context.Background()
	svc := &Service{}
	checks := map[string]error{}
	_, checks["Track"] = svc.Track(ctx, "", 0)
	_, checks["Recent"] = svc.Recent(ctx, 0)
	_, checks["Stats"] = svc.Stats(ctx, "")
	_, checks["Search"] = svc.Search(ctx, "", "")
	checks["Touch"] = svc.Touch(ctx, "")
	checks["Forget"] = svc.Forget(ctx, 0)
	checks["Adjust"] = svc.Adjust(ctx, -1, 5)
	for method, err := range checks {
		var fe *framework.Error
		if !errors.As(err, &fe) || fe.Code != framework.CodeInvalidArgument {
			t.Errorf("%s: %v, want invalid_argument", method, err)
		}
	}
}
