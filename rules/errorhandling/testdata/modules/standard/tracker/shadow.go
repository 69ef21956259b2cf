package tracker

import "errors"

// Shadow's method has a parameter named framework: the fix would not
// compile, so none is offered.
type Shadow struct{}

func (Shadow) Fail(framework string) error {
	return errors.New(framework) // want `service method Fail returns a plain error made by errors\.New`
}
