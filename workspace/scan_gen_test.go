package workspace

import (
	"fmt"
	"go/token"
	"testing"
)

// TestGenerationKeepsTheLastParses checks that a generation keeps the
// syntax of the files it parsed last, at most maxKept, answers those
// without parsing again, and parses again a file it let go.
func TestGenerationKeepsTheLastParses(t *testing.T) {
	g := &generation{byKey: map[parseKey]keptTree{}, byName: map[string]parseKey{}}
	g.fset = token.NewFileSet()
	src := func(i int) []byte { return []byte(fmt.Sprintf("package p\n\nconst C%d = %d\n", i, i)) }
	name := func(i int) string { return fmt.Sprintf("/w/f%d.go", i) }
	first := g.parse(name(0), src(0))
	const n = 3 * maxKept
	for i := 1; i < n; i++ {
		g.parse(name(i), src(i))
		if i%2 == 0 { // a second version of an earlier file
			g.parse(name(i/2), src(i/2+n))
		}
	}
	if len(g.byKey) > maxKept || len(g.byName) > maxKept {
		t.Errorf("%d trees kept (%d names), want at most %d", len(g.byKey), len(g.byName), maxKept)
	}
	last := g.parse(name(n-1), src(n-1))
	parsed := g.parsed
	if g.parse(name(n-1), src(n-1)) != last || g.parsed != parsed {
		t.Error("the file parsed last was parsed again")
	}
	if g.parse(name(0), src(0)) == first || g.parsed != parsed+1 {
		t.Error("the first file's tree is still kept")
	}
}
