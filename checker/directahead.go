package checker

import (
	"bytes"
	"go/token"
	"go/types"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/tools/go/gcexportdata"
)

// memoBlob names one stored export-data blob: a package's import path and
// its key.
type memoBlob struct {
	Path, Key string
}

// directAhead reads, before the tree is scanned, the export data of the
// direct imports (directImports) that the last check of the tree read,
// under the keys it read them by (keysMemo.Direct): an edit seldom
// changes what the main module imports, and the reading, which the type
// checks wait for, otherwise begins only once the listing is known.
// readDirect takes what it read when the direct imports and their keys
// turn out to be the same, in the same order, and every one was read:
// the reading is then the one readDirectLocked would have made. Otherwise
// it is stopped, and waited for only while the cache answers a query of
// it (cancel); what it read is dropped.
//
// Its packages' positions are in fset, which the check's loader takes as
// its own FileSet whether or not they are used.
type directAhead struct {
	fset *token.FileSet
	want []memoBlob
	stop atomic.Bool
	done chan struct{}
	// querying is held while the cache answers a query of the reading.
	querying sync.Mutex

	// Set once done is closed: ok when every blob was read.
	ok      bool
	imports map[string]*types.Package
	imps    map[string][]string // the imports each blob was checked with
}

// aheadQuerying, if set, is called as the reading queries the cache (for
// tests).
var aheadQuerying func()

// readDirectAhead starts reading the blobs of want, in order.
func readDirectAhead(cache *Cache, want []memoBlob) *directAhead {
	a := &directAhead{fset: token.NewFileSet(), want: want, done: make(chan struct{}),
		imports: map[string]*types.Package{}, imps: map[string][]string{}}
	go func() {
		defer close(a.done)
		for _, b := range want {
			a.querying.Lock()
			if a.stop.Load() {
				a.querying.Unlock()
				return
			}
			if aheadQuerying != nil {
				aheadQuerying()
			}
			data, imps, ok := cache.exportWithImports(b.Key)
			a.querying.Unlock()
			if !ok {
				return
			}
			if _, err := gcexportdata.Read(bytes.NewReader(data), a.fset, a.imports, b.Path); err != nil {
				return
			}
			a.imps[b.Path] = imps
		}
		a.ok = true
	}()
	return a
}

// matching waits for the reading and tells whether it read want, every
// one of them; a reading of something else is stopped and not waited for.
func (a *directAhead) matching(want []memoBlob) bool {
	if a == nil {
		return false
	}
	if !slices.Equal(a.want, want) {
		a.stop.Store(true)
		return false
	}
	<-a.done
	return a.ok
}

// cancel stops the reading, the check not needing it, and waits for the
// cache's answer to a query under way (not for the decoding of a blob
// read): the check's caller may close the cache as soon as the check
// returns, and a query still running would keep the database open past
// that, its files changing beside it after the caller is done with them.
func (a *directAhead) cancel() {
	if a != nil {
		a.stop.Store(true)
		a.querying.Lock()
		a.querying.Unlock()
	}
}
