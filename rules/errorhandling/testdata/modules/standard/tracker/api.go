package tracker

import (
	"context"
	"errors"
	"fmt"

	"github.com/modls/modls/framework"
)

type status struct {
	OK bool `json:"ok"`
}

func (m *Module) routes(s *framework.Setup) error {
	return s.Handle(
		framework.GET("/status", func(ctx context.Context, r *framework.Request) (status, error) {
			if r.Query("fail") != "" {
				return status{}, errors.New("failing on request") // want `handler GET /status returns a plain error made by errors\.New`
			}
			return status{OK: true}, nil
		}),
		framework.GET("/peer", m.peer),
	)
}

func (m *Module) peer(ctx context.Context, r *framework.Request) (status, error) {
	if err := m.svc.peer.Ping(ctx); err != nil {
		return status{}, fmt.Errorf("peer: %w", err)
	}
	if r.Query("id") == "" {
		return status{}, errClosed // want `handler GET /peer returns errClosed, a plain error made by errors\.New`
	}
	return status{OK: true}, nil
}
