package tracker_test

import "testing"

func TestPurgeHelpers(t *testing.T) {}
