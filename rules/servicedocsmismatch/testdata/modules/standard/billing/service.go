package billing

import (
	"context"
	"time"

	"example.com/ruletest/modules/standard/billing/contract"
)

// Service tracks events.
type Service struct{}

func (s *Service) Track(ctx context.Context, name string) error { return nil }

func (s *Service) Get(ctx context.Context, id int64) (contract.Event, error) {
	return contract.Event{}, nil
}

func (s *Service) Count(ctx context.Context, names ...string) (int, error) { return 0, nil }

func (s *Service) Reset(context.Context) error { return nil }

func (s *Service) List(ctx context.Context, status contract.Status, limit int) ([]contract.Event, error) {
	return nil, nil
}

func (s *Service) Ping() {}

func (s *Service) Wait(ctx context.Context, d time.Duration) error { return nil }

func (s *Service) Sleep(ctx context.Context, d time.Duration) error { return nil }

func (s *Service) Pick(n int) int { return n }

func (s *Service) Choose(n int) int { return n }

func (s *Service) Any(ctx context.Context, v interface{}) (any, error) { return v, nil }

func (s *Service) helper() {}
