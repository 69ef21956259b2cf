package workspace

import (
	"testing"

	"github.com/modls/modls/checker/cachetest"
)

// TestMain keeps every test off the user's modls cache: a test that starts
// a check or a server without its own MODLS_CACHE fails the run.
func TestMain(m *testing.M) { cachetest.Main(m) }
