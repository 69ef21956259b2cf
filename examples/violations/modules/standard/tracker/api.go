package tracker

import (
	"context"
	"strconv"

	"github.com/modls/modls/framework"
)

type statusResponse struct {
	Module string `json:"module"`
	Events int    `json:"events"`
}

func (m *Module) status(ctx context.Context, r *framework.Request) (statusResponse, error) {
	var n int
	if err := m.svc.db.QueryRow(ctx, `SELECT count(*) FROM tracker_events`).Scan(&n); err != nil {
		return statusResponse{}, internal(err, "counting events")
	}
	return statusResponse{Module: "standard.tracker", Events: n}, nil
}

func (m *Module) recent(ctx context.Context, r *framework.Request) (EventList, error) {
	limit := 20
	if q := r.Query("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			return EventList{}, invalid("limit %q is not a number", q)
		}
		limit = n
	}
	return m.svc.Recent(ctx, limit)
}

type trackRequest struct {
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

func (m *Module) track(ctx context.Context, r *framework.Request, body trackRequest) (Event, error) {
	return m.svc.Track(ctx, body.Name, body.Amount)
}

type stockResponse struct {
	SKU       string `json:"sku"`
	Available int    `json:"available"`
}

func (m *Module) stock(ctx context.Context, r *framework.Request) (stockResponse, error) {
	sku := r.PathValue("sku")
	return stockResponse{SKU: sku, Available: m.svc.stock.Count(ctx, sku)}, nil
}
