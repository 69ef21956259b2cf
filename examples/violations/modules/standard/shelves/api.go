package shelves

import (
	"context"
	"errors"

	"github.com/modls/modls/framework"
)

// StatusResponse answers GET /status.
type StatusResponse struct {
	Books int64 `json:"books"`
}

func (m *Module) routes() []framework.Route {
	return []framework.Route{
		framework.GET("/status", func(ctx context.Context, r *framework.Request) (StatusResponse, error) {
			if r.Query("shelf") == "" {
				return StatusResponse{}, errors.New("shelf is required") // want MOD008 "^handler GET /status returns a plain error made by errors\\.New$"
			}
			n, err := m.svc.count(ctx, r.Query("shelf"))
			if err != nil {
				return StatusResponse{}, framework.AsError(err)
			}
			return StatusResponse{Books: n}, nil
		}),
	}
}
