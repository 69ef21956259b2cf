package tracker

import (
	"context"
	"fmt"

	fwk "github.com/modls/modls/framework"
)

// Renamed imports the framework under another name.
type Renamed struct{}

func (*Renamed) Get(ctx context.Context, id int) (int, error) {
	if id < 0 {
		return 0, fmt.Errorf("id %d is negative", id) // want `service method Get returns a plain error made by fmt\.Errorf`
	}
	return 0, fwk.Errorf(fwk.CodeNotFound, "no %d", id)
}
