package alerts

import (
	"context"
	"sync/atomic"

	"github.com/modls/modls/framework"
)

// Service is the "alerts.service" service.
type Service struct {
	sent atomic.Int64
}

// Send sends an alert and returns how many were sent so far.
func (s *Service) Send(ctx context.Context, text string) (int, error) {
	if text == "" {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "alert text is empty")
	}
	return int(s.sent.Add(1)), nil
}
