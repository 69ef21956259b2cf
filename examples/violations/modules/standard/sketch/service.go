package sketch

import (
	"context"
	"sync"

	"github.com/modls/modls/framework"
)

// Service is the "sketch.pad" service.
type Service struct {
	mu     sync.Mutex
	drafts []string
}

// Draft keeps a draft and returns its number, from 1.
func (s *Service) Draft(ctx context.Context, text string) (int, error) {
	if text == "" {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "draft is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drafts = append(s.drafts, text)
	return len(s.drafts), nil
}
