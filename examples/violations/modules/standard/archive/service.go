package archive

import (
	"context"
	"slices"
	"sync"

	"github.com/modls/modls/framework"
)

// Service is the "archive.service" service.
type Service struct {
	mu   sync.Mutex
	docs map[string][]byte
}

// Keep archives doc under key.
func (s *Service) Keep(ctx context.Context, key string, doc []byte) error {
	if key == "" {
		return framework.Errorf(framework.CodeInvalidArgument, "key is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.docs[key]; ok {
		return framework.Errorf(framework.CodeConflict, "%s is already archived", key)
	}
	s.docs[key] = slices.Clone(doc)
	return nil
}
