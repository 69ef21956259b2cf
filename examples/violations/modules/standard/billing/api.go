package billing

import (
	"context"
	"strconv"

	"example.com/violations/modules/standard/billing/contract"
	"github.com/modls/modls/framework"
)

type statusResponse struct {
	Module       string `json:"module"`
	Currency     string `json:"currency"`
	OpenInvoices int    `json:"open_invoices"`
}

type createRequest struct {
	Customer string `json:"customer"`
	Cents    int64  `json:"cents"`
}

type invoiceResponse struct {
	Invoice contract.Invoice `json:"invoice"`
}

func invoiceID(r *framework.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, framework.Errorf(framework.CodeInvalidArgument, "invoice id %q is not a number", r.PathValue("id"))
	}
	return id, nil
}

func (m *Module) getInvoice(ctx context.Context, r *framework.Request) (invoiceResponse, error) {
	id, err := invoiceID(r)
	if err != nil {
		return invoiceResponse{}, err
	}
	inv, err := m.svc.Get(ctx, id)
	if err != nil {
		return invoiceResponse{}, err
	}
	return invoiceResponse{Invoice: inv}, nil
}

func (m *Module) createInvoice(ctx context.Context, r *framework.Request, body createRequest) (invoiceResponse, error) {
	inv, err := m.svc.Create(ctx, body.Customer, body.Cents)
	if err != nil {
		return invoiceResponse{}, err
	}
	return invoiceResponse{Invoice: inv}, nil
}

type paymentRequest struct {
	Reference string `json:"reference"`
}

func (m *Module) payInvoice(ctx context.Context, r *framework.Request, body paymentRequest) (invoiceResponse, error) {
	id, err := invoiceID(r)
	if err != nil {
		return invoiceResponse{}, err
	}
	if err := m.svc.MarkPaid(ctx, id); err != nil {
		return invoiceResponse{}, err
	}
	return m.getInvoice(ctx, r)
}
