package shop

import (
	"testing"

	"github.com/modls/modls/framework"
)

// Tests are not checked against the manifest.
func lookup(app *framework.App) (any, error) { return framework.Service[any](app, "nobody.fake") }

func TestLookup(t *testing.T) { _ = lookup }
