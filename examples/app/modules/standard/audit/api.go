package audit

import (
	"context"
	"strconv"

	"github.com/modls/modls/examples/app/modules/standard/audit/contract"
	"github.com/modls/modls/framework"
)

// StatusResponse answers GET /status.
type StatusResponse struct {
	Module      string          `json:"module"`
	MaxAttempts int             `json:"max_attempts"`
	Runs        contract.Counts `json:"runs"`
}

// RunResponse is one run with its history.
type RunResponse struct {
	Run    contract.Run     `json:"run"`
	Events []contract.Event `json:"events"`
}

// RunListResponse answers GET /runs.
type RunListResponse struct {
	Runs  []contract.Run `json:"runs"`
	Count int            `json:"count"`
}

// CreateRunRequest is the body of POST /runs.
type CreateRunRequest struct {
	Target string `json:"target"`
}

// TransitionRequest is the body of POST /runs/{id}/transition.
type TransitionRequest struct {
	To   contract.Status `json:"to"`
	Note string          `json:"note"`
}

// api serves the module's routes from its service.
type api struct{ svc *Service }

func (a api) routes() []framework.Route {
	return []framework.Route{
		framework.GET("/status", a.status),
		framework.GET("/runs", a.listRuns),
		framework.GET("/runs/{id}", a.getRun),
		framework.POST("/runs", a.createRun),
		framework.POST("/runs/{id}/transition", a.transition),
	}
}

func (a api) status(ctx context.Context, _ *framework.Request) (StatusResponse, error) {
	counts, err := a.svc.Counts(ctx)
	if err != nil {
		return StatusResponse{}, err
	}
	return StatusResponse{Module: "standard.audit", MaxAttempts: a.svc.settings.MaxAttempts, Runs: counts}, nil
}

func (a api) listRuns(ctx context.Context, r *framework.Request) (RunListResponse, error) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return RunListResponse{}, err
	}
	runs, err := a.svc.ListRuns(ctx, contract.Status(r.Query("status")), limit)
	if err != nil {
		return RunListResponse{}, err
	}
	return RunListResponse{Runs: runs, Count: len(runs)}, nil
}

func (a api) getRun(ctx context.Context, r *framework.Request) (RunResponse, error) {
	id, err := pathID(r)
	if err != nil {
		return RunResponse{}, err
	}
	run, err := a.svc.GetRun(ctx, id)
	if err != nil {
		return RunResponse{}, err
	}
	return a.withEvents(ctx, run)
}

func (a api) createRun(ctx context.Context, _ *framework.Request, body CreateRunRequest) (RunResponse, error) {
	run, err := a.svc.CreateRun(ctx, body.Target)
	if err != nil {
		return RunResponse{}, err
	}
	return a.withEvents(ctx, run)
}

func (a api) transition(ctx context.Context, r *framework.Request, body TransitionRequest) (RunResponse, error) {
	id, err := pathID(r)
	if err != nil {
		return RunResponse{}, err
	}
	if body.To == "" {
		return RunResponse{}, framework.Errorf(framework.CodeInvalidArgument, `"to" is required (want %s)`, describe(contract.Statuses()))
	}
	run, err := a.svc.Transition(ctx, id, body.To, body.Note)
	if err != nil {
		return RunResponse{}, err
	}
	return a.withEvents(ctx, run)
}

func (a api) withEvents(ctx context.Context, run contract.Run) (RunResponse, error) {
	events, err := a.svc.Events(ctx, run.ID)
	if err != nil {
		return RunResponse{}, err
	}
	return RunResponse{Run: run, Events: events}, nil
}

func pathID(r *framework.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "run id %q is not a positive integer", raw)
	}
	return id, nil
}

// queryInt reads an optional non-negative integer query parameter; absent
// is 0.
func queryInt(r *framework.Request, key string) (int, error) {
	raw := r.Query(key)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "query parameter %s=%q is not a non-negative integer", key, raw)
	}
	return n, nil
}
