package checker

import (
	"bytes"
	"go/token"
	"go/types"
	"slices"
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
// it is stopped and not waited for; what it read is dropped.
//
// Its packages' positions are in fset, which the check's loader takes as
// its own FileSet whether or not they are used.
type directAhead struct {
	fset *token.FileSet
	want []memoBlob
	stop atomic.Bool
	done chan struct{}

	// Set once done is closed: ok when every blob was read.
	ok      bool
	imports map[string]*types.Package
	imps    map[string][]string // the imports each blob was checked with
}

// readDirectAhead starts reading the blobs of want, in order.
func readDirectAhead(cache *Cache, want []memoBlob) *directAhead {
	a := &directAhead{fset: token.NewFileSet(), want: want, done: make(chan struct{}),
		imports: map[string]*types.Package{}, imps: map[string][]string{}}
	go func() {
		defer close(a.done)
		for _, b := range want {
			if a.stop.Load() {
				return
			}
			data, imps, ok := cache.exportWithImports(b.Key)
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

// cancel stops the reading: the check will not need it.
func (a *directAhead) cancel() {
	if a != nil {
		a.stop.Store(true)
	}
}
