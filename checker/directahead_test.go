package checker

import (
	"path/filepath"
	"testing"
	"time"
)

// TestDirectAheadCancelWaitsForTheQuery checks that stopping a reading
// ahead returns only once the cache has answered the query under way: a
// check's caller closes the cache as soon as the check returns, and a
// query still running kept the database open, and its files changing,
// after that.
func TestDirectAheadCancelWaitsForTheQuery(t *testing.T) {
	cache, err := OpenCache(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	entered, release := make(chan struct{}), make(chan struct{})
	aheadQuerying = func() {
		close(entered)
		<-release
	}
	defer func() { aheadQuerying = nil }()
	a := readDirectAhead(cache, []memoBlob{{Path: "example.com/p", Key: "k"}, {Path: "example.com/q", Key: "l"}})
	<-entered
	returned := make(chan struct{})
	go func() {
		a.cancel()
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("cancel returned while the cache was answering the reading's query")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-returned
	<-a.done
	if a.ok {
		t.Error("a reading stopped says it read everything")
	}
}
