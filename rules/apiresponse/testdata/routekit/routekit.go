// Package routekit makes routes for modules; it is no module itself.
package routekit

import (
	"context"

	"github.com/modls/modls/framework"
)

type StatusBody struct {
	OK bool `json:"ok"`
}

func Status(module string) framework.Route {
	return framework.GET("/status", func(context.Context, *framework.Request) (StatusBody, error) {
		return StatusBody{OK: true}, nil
	})
}
