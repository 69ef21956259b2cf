// Package api holds standard.statussub's routes.
package api

import (
	"context"

	"github.com/modls/modls/framework"
)

type StatusResponse struct {
	Module string `json:"module"`
}

func Routes() []framework.Route {
	return []framework.Route{
		framework.GET("/status", func(context.Context, *framework.Request) (StatusResponse, error) {
			return StatusResponse{}, nil
		}),
	}
}
