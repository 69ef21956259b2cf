package checker

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestImportsLoadedAlready: finished answers what load answers once a load
// has ended, a failed one included, and nothing before; a loader over
// another (as the check of a package's own files makes) answers from it;
// and a check that takes its imports so, in line, gets the same types and
// reports a failed import once, as it does when it loads them itself.
func TestImportsLoadedAlready(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop+`
-- modules/standard/shop/broken.go --
package shop

import "example.com/nowhere"

var _ = nowhere.X
-- modules/standard/shop/shop_test.go --
package shop
`)
	listed, err := goList(context.Background(), dir, []string{"./..."}, true)
	if err != nil {
		t.Fatal(err)
	}
	const (
		fw      = "github.com/modls/modls/framework"
		missing = "example.com/nowhere"
		root    = "example.com/shop/modules/standard/shop"
	)
	l := newLoader(listed, nil)
	if _, _, ok := l.finished(fw); ok {
		t.Fatalf("finished(%s) answers before any load", fw)
	}
	// The check that loads its imports itself, first.
	cold, err := l.ownFiles(root, l.checkFileSet())
	if err != nil {
		t.Fatal(err)
	}
	want, err := l.load(fw)
	if err != nil {
		t.Fatal(err)
	}
	got, gerr, ok := l.finished(fw)
	if !ok || got != want || gerr != nil {
		t.Errorf("finished(%s) = %p, %v, %v; want %p, nil, true", fw, got, gerr, ok, want)
	}
	_, lerr := l.load(missing)
	if lerr == nil {
		t.Fatalf("load(%s) succeeded", missing)
	}
	if _, ferr, ok := l.finished(missing); !ok || ferr == nil || ferr.Error() != lerr.Error() {
		t.Errorf("finished(%s) = %v, %v; want %v, true", missing, ferr, ok, lerr)
	}
	// Every import is loaded now: the check takes them in line.
	warm, err := l.ownFiles(root, l.checkFileSet())
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []*Package{cold, warm} {
		if !slices.Contains(pkg.Types.Imports(), want.Types) {
			t.Errorf("the check's imports %v do not hold the framework loaded", pkg.Types.Imports())
		}
		n := 0
		for _, e := range pkg.Errors {
			if strings.Contains(e.Msg, "could not import "+missing) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d errors say %s could not be imported, want 1: %v", n, missing, pkg.Errors)
		}
	}
}
