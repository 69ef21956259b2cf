package analytics

import (
	"context"
	"strconv"

	"github.com/modls/modls/examples/app/modules/standard/analytics/contract"
	"github.com/modls/modls/framework"
)

// defaultRecent is the number of events GET /events returns without limit.
const defaultRecent = 50

// StatusResponse answers GET /status.
type StatusResponse struct {
	Module        string   `json:"module"`
	Events        int64    `json:"events"`
	DistinctNames int64    `json:"distinct_names"`
	RetentionDays int      `json:"retention_days"`
	Sources       []string `json:"sources"`
}

// TrackRequest is the body of POST /events.
type TrackRequest struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// EventResponse answers POST /events.
type EventResponse struct {
	Event contract.Event `json:"event"`
}

// EventListResponse answers GET /events.
type EventListResponse struct {
	Events []contract.Event `json:"events"`
	Count  int              `json:"count"`
}

// SummaryResponse answers GET /events/summary.
type SummaryResponse struct {
	Summary contract.Summary `json:"summary"`
}

// PruneRequest is the body of POST /events/prune: an empty object.
type PruneRequest struct{}

// PruneResponse answers POST /events/prune.
type PruneResponse struct {
	Deleted int64 `json:"deleted"`
}

// api serves the module's routes from its service.
type api struct{ svc *Service }

func (a api) routes() []framework.Route {
	return []framework.Route{
		framework.GET("/status", a.status),
		framework.GET("/events", a.recent),
		framework.GET("/events/summary", a.summary),
		framework.POST("/events", a.track),
		framework.POST("/events/prune", a.prune),
	}
}

func (a api) status(ctx context.Context, _ *framework.Request) (StatusResponse, error) {
	events, names, err := a.svc.counts(ctx)
	if err != nil {
		return StatusResponse{}, err
	}
	return StatusResponse{
		Module:        "standard.analytics",
		Events:        events,
		DistinctNames: names,
		RetentionDays: a.svc.settings.RetentionDays,
		Sources:       a.svc.settings.Sources,
	}, nil
}

func (a api) recent(ctx context.Context, r *framework.Request) (EventListResponse, error) {
	limit := defaultRecent
	if raw := r.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return EventListResponse{}, framework.Errorf(framework.CodeInvalidArgument, "query parameter limit=%q is not an integer", raw)
		}
		limit = n
	}
	events, err := a.svc.Recent(ctx, limit)
	if err != nil {
		return EventListResponse{}, err
	}
	return EventListResponse{Events: events, Count: len(events)}, nil
}

func (a api) summary(ctx context.Context, _ *framework.Request) (SummaryResponse, error) {
	sum, err := a.svc.Summary(ctx)
	if err != nil {
		return SummaryResponse{}, err
	}
	return SummaryResponse{Summary: sum}, nil
}

func (a api) track(ctx context.Context, _ *framework.Request, body TrackRequest) (EventResponse, error) {
	e, err := a.svc.Track(ctx, body.Name, body.Source)
	if err != nil {
		return EventResponse{}, err
	}
	return EventResponse{Event: e}, nil
}

func (a api) prune(ctx context.Context, _ *framework.Request, _ PruneRequest) (PruneResponse, error) {
	n, err := a.svc.Prune(ctx)
	if err != nil {
		return PruneResponse{}, err
	}
	return PruneResponse{Deleted: n}, nil
}
