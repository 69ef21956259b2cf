package webhooks

import (
	"context"

	"github.com/modls/modls/framework"
)

type deliveryRequest struct {
	Reference string `json:"reference"`
	Event     string `json:"event"`
}

type deliveryResponse struct {
	Reference string `json:"reference"`
	Accepted  bool   `json:"accepted"`
}

func (m *Module) deliver(ctx context.Context, r *framework.Request, body deliveryRequest) (deliveryResponse, error) {
	if body.Reference == "" {
		return deliveryResponse{}, framework.Errorf(framework.CodeInvalidArgument, "reference is empty")
	}
	if body.Event != "payment.confirmed" {
		return deliveryResponse{Reference: body.Reference}, nil
	}
	if err := m.gateway.Confirm(ctx, body.Reference); err != nil {
		return deliveryResponse{}, err
	}
	return deliveryResponse{Reference: body.Reference, Accepted: true}, nil
}
