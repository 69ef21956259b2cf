package nostatus

import (
	"context"

	"github.com/modls/modls/framework"
)

func (m *Module) Start(ctx context.Context, app *framework.App) error { return nil }

type Delivery struct {
	ID string `json:"id"`
}

type DeliveryRequest struct {
	Reference string `json:"reference"`
}

func (m *Module) deliver(_ context.Context, _ *framework.Request, body DeliveryRequest) (Delivery, error) {
	return Delivery{ID: body.Reference}, nil
}

func (m *Module) delivery(ctx context.Context, r *framework.Request) (Delivery, error) {
	return Delivery{ID: r.PathValue("id")}, nil
}
