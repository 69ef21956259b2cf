package tracker

import "testing"

func TestPruneHelpers(t *testing.T) {}
