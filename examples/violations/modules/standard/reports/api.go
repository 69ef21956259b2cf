package reports

import (
	"context"
	"time"

	"github.com/modls/modls/framework"
)

type statusResponse struct {
	Module string `json:"module"`
	Title  string `json:"title"`
}

func (m *Module) status(ctx context.Context, r *framework.Request) (statusResponse, error) {
	return statusResponse{Module: "standard.reports", Title: m.settings.Title}, nil
}

type summaryResponse struct {
	Report Report `json:"report"`
}

func (m *Module) summary(ctx context.Context, r *framework.Request) (summaryResponse, error) {
	rep, err := m.svc.Monthly(ctx, r.PathValue("customer"))
	if err != nil {
		return summaryResponse{}, err
	}
	return summaryResponse{Report: rep}, nil
}

func (m *Module) totals(ctx context.Context, r *framework.Request) (map[string]any, error) {
	return map[string]any{"formats": m.settings.Formats, "page_size": m.settings.PageSize}, nil
}

type dailyResponse struct {
	Day   string `json:"day"`
	Count int    // want MOD007 "response field Count has no json tag"
}

func (m *Module) daily(ctx context.Context, r *framework.Request) (dailyResponse, error) {
	return dailyResponse{Day: time.Now().UTC().Format(time.DateOnly)}, nil
}
