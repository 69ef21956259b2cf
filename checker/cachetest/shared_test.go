package cachetest

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// TestSharedSeedMadeOnce: test processes sharing a seed directory make
// the seed once; one that failed leaves it to the next to make.
func TestSharedSeedMadeOnce(t *testing.T) {
	dir := t.TempDir()
	if _, err := sharedSeed(dir, func(string) error { return errors.New("no go command") }); err == nil || err.Error() != "no go command" {
		t.Fatalf("a failed seed: %v", err)
	}
	var made atomic.Int32
	var wg sync.WaitGroup
	paths := make([]string, 8)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := sharedSeed(dir, func(path string) error {
				made.Add(1)
				return os.WriteFile(path, []byte("seed"), 0o644)
			})
			if err != nil {
				t.Error(err)
			}
			paths[i] = p
		}()
	}
	wg.Wait()
	if made.Load() != 1 {
		t.Errorf("the seed was made %d times", made.Load())
	}
	for _, p := range paths {
		if p != filepath.Join(dir, "seed.db") {
			t.Errorf("seed at %s", p)
		}
	}
	if _, err := sharedSeed("relative", nil); err == nil {
		t.Error("a relative directory was taken")
	}
}
