package tracker_test

import (
	"testing"

	"example.com/ruletest/modules/standard/tracker"
)

func TestCount(t *testing.T) {
	count := (*tracker.Service).Count
	_ = count
}
