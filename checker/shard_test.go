package checker

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// benchTree is a tree like bench/genworkspace's: per module, a package of
// 9-15 KB and its contract of 1.5-2.3 KB.
func benchTree(modules int, seed uint64) []shardItem {
	r := rand.New(rand.NewPCG(seed, 2))
	var items []shardItem
	for i := range modules {
		items = append(items, shardItem{fmt.Sprintf("example.com/bench/modules/standard/m%03d", i), 9000 + r.Int64N(6000)})
		items = append(items, shardItem{fmt.Sprintf("example.com/bench/modules/standard/m%03d/contract", i), 1500 + r.Int64N(800)})
	}
	return items
}

func TestParseShard(t *testing.T) {
	for _, ok := range []string{"1/1", "2/4", "4/4"} {
		if s, err := ParseShard(ok); err != nil || s.String() != ok {
			t.Errorf("ParseShard(%q) = %v, %v", ok, s, err)
		}
	}
	for _, bad := range []string{"", "x", "0/2", "3/2", "1/0", "-1/2", "1/2/3", "1 /2", "2"} {
		if s, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) = %v, want an error", bad, s)
		}
	}
}

// TestPartition: every package is in exactly one part, whatever order the
// packages come in; the parts' sizes are within the slack of an even
// share; adding a package moves few others.
func TestPartition(t *testing.T) {
	items := benchTree(400, 1)
	var total int64
	for _, it := range items {
		total += it.size
	}
	for _, n := range []int{1, 2, 3, 4, 8} {
		parts := partition(items, n)
		if len(parts) != len(items) {
			t.Fatalf("n=%d: %d packages placed of %d", n, len(parts), len(items))
		}
		loads := make([]int64, n)
		for _, it := range items {
			p, ok := parts[it.path]
			if !ok || p < 0 || p >= n {
				t.Fatalf("n=%d: %s in part %d", n, it.path, p)
			}
			loads[p] += it.size
		}
		shuffled := slices.Clone(items)
		rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for path, p := range partition(shuffled, n) {
			if parts[path] != p {
				t.Fatalf("n=%d: %s is in part %d, in part %d when the packages come in another order", n, path, parts[path], p)
			}
		}
		balance := float64(slices.Max(loads)) * float64(n) / float64(total)
		if balance > 1+shardSlack+0.001 {
			t.Errorf("n=%d: the largest part is %.3f times an even share, want at most %.2f: %v", n, balance, 1+shardSlack, loads)
		}
		// Add one package, of a size among the others', fifty times.
		r := rand.New(rand.NewPCG(uint64(n), 3))
		moved, worst := 0, 0
		for a := range 50 {
			more := append(slices.Clone(items), shardItem{fmt.Sprintf("example.com/bench/modules/standard/new%d", a), 1000 + r.Int64N(14000)})
			after := partition(more, n)
			m := 0
			for _, it := range items {
				if after[it.path] != parts[it.path] {
					m++
				}
			}
			moved += m
			worst = max(worst, m)
		}
		t.Logf("n=%d: largest part %.3f of an even share; a package added moves %.1f others on average, %d at most, of %d",
			n, balance, float64(moved)/50, worst, len(items))
		if float64(moved)/50 > 0.01*float64(len(items)) || worst > len(items)/40 {
			t.Errorf("n=%d: a package added moves %.1f others on average, %d at most, of %d", n, float64(moved)/50, worst, len(items))
		}
	}
}

// TestPartitionSmall: more parts than packages leaves parts empty, and a
// package larger than an even share still has a part.
func TestPartitionSmall(t *testing.T) {
	items := []shardItem{{"a", 100}, {"b", 10}, {"c", 10}}
	parts := partition(items, 5)
	seen := map[int]bool{}
	for _, it := range items {
		if seen[parts[it.path]] {
			t.Errorf("two packages in part %d of 5 with 3 packages: %v", parts[it.path], parts)
		}
		seen[parts[it.path]] = true
	}
	parts = partition([]shardItem{{"big", 1000}, {"s1", 1}, {"s2", 1}}, 2)
	if parts["s1"] == parts["big"] || parts["s2"] == parts["big"] {
		t.Errorf("the small packages share the big one's part: %v", parts)
	}
}

// BenchmarkPartition places the packages of 400 modules in 4 parts, and
// in more parts than packages (every package past the bound at once).
func BenchmarkPartition(b *testing.B) {
	items := benchTree(400, 1)
	for _, n := range []int{4, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				partition(items, n)
			}
		})
	}
}

// TestShardAfterWholeRun: a shard run on a cache an unsharded run filled
// (a CI cache restored on every runner) reports its part's findings only,
// not the whole tree's from the record of that run.
func TestShardAfterWholeRun(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, shop)
	cache := seeded(t)
	whole := check(t, dir, Options{Cache: cache})
	again := check(t, dir, Options{Cache: cache})
	if again.Cached != again.Packages || len(whole.Diagnostics) == 0 {
		t.Fatalf("the second run: %d of %d packages from the cache, %d findings", again.Cached, again.Packages, len(whole.Diagnostics))
	}
	var union []string
	for k := 1; k <= 2; k++ {
		part := check(t, dir, Options{Cache: cache, Shard: Shard{K: k, N: 2}})
		union = append(union, lines(dir, part.Diagnostics)...)
		if len(part.Roots) == 0 && len(part.Diagnostics) > 0 {
			t.Errorf("shard %d/2 holds no package but reports %d findings", k, len(part.Diagnostics))
		}
	}
	slices.Sort(union)
	want := lines(dir, whole.Diagnostics)
	slices.Sort(want)
	if !slices.Equal(union, want) {
		t.Errorf("the shards' findings together:\n%s\nwant the whole run's:\n%s", strings.Join(union, "\n"), strings.Join(want, "\n"))
	}
}
