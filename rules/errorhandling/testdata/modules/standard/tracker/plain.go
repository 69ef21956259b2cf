package tracker

import "errors"

// Plain is a service whose file imports errors only.
type Plain struct{}

func (Plain) Check(name string) error {
	if name == "" {
		return errors.New("name is required") // want `service method Check returns a plain error made by errors\.New`
	}
	return nil
}
