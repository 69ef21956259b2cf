package tracker

import (
	"context"
	"errors"
)

// Block is a service whose file imports errors in a block, without the
// framework.
type Block struct{}

func (*Block) Close(ctx context.Context) error {
	if ctx.Err() != nil {
		return errors.New("100% closed") // want `service method Close returns a plain error made by errors\.New`
	}
	return nil
}
