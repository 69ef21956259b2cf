package notifications

import (
	"context"
	"strconv"

	"github.com/modls/modls/examples/app/modules/standard/notifications/contract"
	"github.com/modls/modls/framework"
)

// StatusResponse answers GET /status.
type StatusResponse struct {
	Module         string          `json:"module"`
	MaxAttempts    int             `json:"max_attempts"`
	DefaultChannel string          `json:"default_channel"`
	Outbox         contract.Counts `json:"outbox"`
}

// EnqueueRequest is the body of POST /outbox.
type EnqueueRequest struct {
	Channel   string `json:"channel"`
	Recipient string `json:"recipient"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
}

// AttemptRequest is the body of POST /outbox/{id}/attempts: the outcome of
// one delivery attempt.
type AttemptRequest struct {
	Delivered bool   `json:"delivered"`
	Error     string `json:"error"`
}

// NotificationResponse is one notification with its delivery attempts.
type NotificationResponse struct {
	Notification contract.Notification `json:"notification"`
	Attempts     []contract.Attempt    `json:"attempts"`
}

// NotificationListResponse answers GET /outbox.
type NotificationListResponse struct {
	Notifications []contract.Notification `json:"notifications"`
	Count         int                     `json:"count"`
}

// ReportRequest is the body of POST /outbox/report-failed-runs: an empty
// object.
type ReportRequest struct{}

// ReportResponse answers POST /outbox/report-failed-runs.
type ReportResponse struct {
	Enqueued int `json:"enqueued"`
}

// api serves the module's routes from its service.
type api struct{ svc *Service }

func (a api) routes() []framework.Route {
	return []framework.Route{
		framework.GET("/status", a.status),
		framework.GET("/outbox", a.list),
		framework.GET("/outbox/{id}", a.get),
		framework.POST("/outbox", a.enqueue),
		framework.POST("/outbox/{id}/attempts", a.attempt),
		framework.POST("/outbox/report-failed-runs", a.reportFailedRuns),
	}
}

func (a api) status(ctx context.Context, _ *framework.Request) (StatusResponse, error) {
	counts, err := a.svc.Counts(ctx)
	if err != nil {
		return StatusResponse{}, err
	}
	return StatusResponse{
		Module:         "standard.notifications",
		MaxAttempts:    a.svc.settings.MaxAttempts,
		DefaultChannel: a.svc.settings.DefaultChannel,
		Outbox:         counts,
	}, nil
}

func (a api) list(ctx context.Context, r *framework.Request) (NotificationListResponse, error) {
	limit := 0
	if raw := r.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return NotificationListResponse{}, framework.Errorf(framework.CodeInvalidArgument, "query parameter limit=%q is not a positive integer", raw)
		}
		limit = n
	}
	list, err := a.svc.List(ctx, contract.Status(r.Query("status")), limit)
	if err != nil {
		return NotificationListResponse{}, err
	}
	return NotificationListResponse{Notifications: list, Count: len(list)}, nil
}

func (a api) get(ctx context.Context, r *framework.Request) (NotificationResponse, error) {
	id, err := pathID(r)
	if err != nil {
		return NotificationResponse{}, err
	}
	n, err := a.svc.Get(ctx, id)
	if err != nil {
		return NotificationResponse{}, err
	}
	return a.withAttempts(ctx, n)
}

func (a api) enqueue(ctx context.Context, _ *framework.Request, body EnqueueRequest) (NotificationResponse, error) {
	n, err := a.svc.Enqueue(ctx, body.Channel, body.Recipient, body.Subject, body.Body)
	if err != nil {
		return NotificationResponse{}, err
	}
	return a.withAttempts(ctx, n)
}

func (a api) attempt(ctx context.Context, r *framework.Request, body AttemptRequest) (NotificationResponse, error) {
	id, err := pathID(r)
	if err != nil {
		return NotificationResponse{}, err
	}
	n, err := a.svc.RecordAttempt(ctx, id, body.Delivered, body.Error)
	if err != nil {
		return NotificationResponse{}, err
	}
	return a.withAttempts(ctx, n)
}

func (a api) reportFailedRuns(ctx context.Context, _ *framework.Request, _ ReportRequest) (ReportResponse, error) {
	n, err := a.svc.ReportFailedRuns(ctx)
	if err != nil {
		return ReportResponse{}, err
	}
	return ReportResponse{Enqueued: n}, nil
}

func (a api) withAttempts(ctx context.Context, n contract.Notification) (NotificationResponse, error) {
	attempts, err := a.svc.Attempts(ctx, n.ID)
	if err != nil {
		return NotificationResponse{}, err
	}
	return NotificationResponse{Notification: n, Attempts: attempts}, nil
}

func pathID(r *framework.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "notification id %q is not a positive integer", raw)
	}
	return id, nil
}
