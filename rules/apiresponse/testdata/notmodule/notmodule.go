// Package notmodule is not a framework module: quiet.
package notmodule

import (
	"context"

	"github.com/modls/modls/framework"
)

type Loose struct{ Name string }

var Routes = []framework.Route{
	framework.GET("totals", func(context.Context, *framework.Request) (map[string]int, error) { return nil, nil }),
	framework.GET("/loose", func(context.Context, *framework.Request) (Loose, error) { return Loose{}, nil }),
	framework.GET("/loose", func(context.Context, *framework.Request) (Loose, error) { return Loose{}, nil }),
}
