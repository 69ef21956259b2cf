package reports

import (
	"testing"

	"example.com/ruletest/modules/standard/billing"   // a declared dependency, booted by the test
	"example.com/ruletest/modules/standard/inventory" // want `import of standard.inventory, which is not a declared dependency`
)

func TestBoot(t *testing.T) {
	_ = []any{&billing.Module{}, &inventory.Module{}, &Module{}}
}
