package shop

import (
	"context"

	"github.com/modls/modls/framework"
)

// Tests may make any route: quiet.
var testRoutes = []framework.Route{
	framework.GET("/totals", func(context.Context, *framework.Request) (map[string]int, error) { return nil, nil }),
	framework.GET("/totals", func(context.Context, *framework.Request) (map[string]int, error) { return nil, nil }),
	framework.GET("bad", func(context.Context, *framework.Request) (map[string]int, error) { return nil, nil }),
}
