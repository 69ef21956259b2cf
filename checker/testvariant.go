package checker

import (
	"go/token"
)

// checkXTest type-checks the external test package (package p_test) of
// path against under, the package under test with its in-package test
// files (nil: the loader's memoised root package).
func (l *loader) checkXTest(path string, fset *token.FileSet, under *Package) (*Package, error) {
	if under == nil {
		var err error
		if under, err = l.rootPackage(path); err != nil {
			return nil, err
		}
	}
	v := l.testVariant(path, under, fset)
	if v == nil {
		// No in-package test files: the test form is the plain package,
		// which the packages the test imports were checked against.
		var err error
		if under, err = l.load(path); err != nil {
			return nil, err
		}
		v = l
	}
	return v.check(path, true, true, fset, under)
}

// testVariant returns the loader that path's external test package is
// checked with.
//
// The test imports the package under test in its test form (under: with
// its in-package test files and their declarations), and go test compiles
// every package the test imports that depends on the package under test
// again, against that form ("q [p.test]" in go list -test), so that an
// import path has one type throughout the test. The loader's packages
// were checked against the plain form; when the test imports a package
// that depends on it, those packages are checked again, without function
// bodies, in a loader of their own whose every other package is l's. With
// none, the test is checked with l itself. When the package has no
// in-package test files, its test form is its plain form: testVariant
// returns nil, and the test imports l's plain package.
func (l *loader) testVariant(path string, under *Package, fset *token.FileSet) *loader {
	lp := l.listed[path]
	if lp == nil {
		return l
	}
	// depends memoises, for each package the test reaches, whether it
	// depends on path.
	depends := map[string]bool{path: true}
	var visit func(p string) bool
	visit = func(p string) bool {
		if d, ok := depends[p]; ok {
			return d
		}
		depends[p] = false // no cycles in a listed graph; this ends one if there is
		q := l.listed[p]
		if q == nil {
			return false
		}
		d := false
		for _, imp := range q.Imports {
			if m, ok := q.ImportMap[imp]; ok {
				imp = m
			}
			if visit(imp) {
				d = true
			}
		}
		depends[p] = d
		return d
	}
	for _, imp := range lp.XTestImports {
		if m, ok := lp.ImportMap[imp]; ok {
			imp = m
		}
		if imp != path {
			visit(imp)
		}
	}
	own := map[string]bool{}
	for p, d := range depends {
		if d {
			own[p] = true
		}
	}
	if len(own) == 1 {
		return l // only path itself: nothing the test imports depends on it
	}
	if len(lp.TestGoFiles) == 0 {
		return nil
	}
	l.overlayMu.RLock()
	overlay := copyOverlay(l.overlay)
	l.overlayMu.RUnlock()
	v := newLoader(nil, overlay)
	// The packages checked again are parsed into a FileSet of their own,
	// dropped with the test's check, whose positions lie beyond fset's.
	v.fset.AddFile("", fset.Base()+1<<40, 0)
	v.listed, v.sizes = l.listed, l.sizes
	v.base, v.own = l, own // v.exports stays nil: these types are never recorded
	done := &loadResult{done: make(chan struct{}), pkg: under}
	close(done.done)
	v.loading[path] = done
	return v
}
