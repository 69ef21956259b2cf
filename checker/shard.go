package checker

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Shard is one part of a partition of the root packages into N parts, the
// K-th (1-based), for checks split across machines: every shard lists and
// loads what its packages need, and reports only its packages.
//
// The partition is a function of the root packages' import paths and
// source sizes alone, so every machine holding the same tree computes the
// same one. Each package prefers the parts in the order of a hash of its
// import path and the part (rendezvous hashing); the packages, largest
// first, go to the first part of their order that stays within 5% above
// an even share of the total size, or to the lightest part when none does
// (consistent hashing with bounded loads). A package added or removed
// shifts the loads a little, so only packages placed near a part's bound
// may move; the others keep their part.
type Shard struct {
	K, N int
}

// ParseShard reads K/N, 1 <= K <= N.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, errK := strconv.Atoi(ks)
	n, errN := strconv.Atoi(ns)
	if !ok || errK != nil || errN != nil || n < 1 || k < 1 || k > n {
		return Shard{}, fmt.Errorf("want K/N with 1 <= K <= N, such as 2/4")
	}
	return Shard{K: k, N: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// shardItem is a root package to place, with its weight: its source size
// in bytes.
type shardItem struct {
	path string
	size int64
}

// shardSlack is how far above an even share a part may fill before a
// package goes to a part further down its order.
const shardSlack = 0.05

// partition places each item in one of n parts (0-based), by import path.
func partition(items []shardItem, n int) map[string]int {
	out := make(map[string]int, len(items))
	if n <= 1 {
		for _, it := range items {
			out[it.path] = 0
		}
		return out
	}
	sorted := append([]shardItem(nil), items...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].size != sorted[j].size {
			return sorted[i].size > sorted[j].size
		}
		return sorted[i].path < sorted[j].path
	})
	var total float64
	for _, it := range sorted {
		total += float64(it.size)
	}
	limit := total / float64(n) * (1 + shardSlack)
	loads := make([]float64, n)
	order := make([]int, n)
	scores := make([]uint64, n)
	for _, it := range sorted {
		w := float64(it.size)
		part := -1
		if w <= limit { // else no part can take it within the bound
			best := 0
			for p := range scores {
				scores[p] = shardScore(it.path, p)
				if scores[p] > scores[best] {
					best = p
				}
			}
			if loads[best]+w <= limit {
				part = best
			} else {
				for p := range order {
					order[p] = p
				}
				sort.Slice(order, func(i, j int) bool { return scores[order[i]] > scores[order[j]] })
				for _, p := range order {
					if loads[p]+w <= limit {
						part = p
						break
					}
				}
			}
		}
		if part < 0 {
			part = 0
			for p := range loads {
				if loads[p] < loads[part] {
					part = p
				}
			}
		}
		loads[part] += w
		out[it.path] = part
	}
	return out
}

// shardScore is the rank of part p for a package: FNV-1a of the import
// path and the part, mixed (splitmix64's finaliser) so that nearby paths
// spread.
func shardScore(path string, p int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(path))
	var b [9]byte
	binary.LittleEndian.PutUint64(b[1:], uint64(p))
	h.Write(b[:])
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// sourceSize is the size in bytes of a package's Go files, its tests'
// included (a file that cannot be read counts nothing).
func sourceSize(lp *listedPackage) int64 {
	var n int64
	for _, list := range [][]string{lp.GoFiles, lp.TestGoFiles, lp.XTestGoFiles} {
		for _, f := range list {
			if st, err := os.Stat(filepath.Join(lp.Dir, f)); err == nil {
				n += st.Size()
			}
		}
	}
	return n
}

// shardRoots keeps the roots of shard s, and adds what decided the
// partition (every root's import path and size) to h.
func shardRoots(roots []*listedPackage, s Shard, h hash.Hash) []*listedPackage {
	items := make([]shardItem, len(roots))
	for i, lp := range roots {
		items[i] = shardItem{lp.ImportPath, sourceSize(lp)}
		fmt.Fprintf(h, "%s %d\n", lp.ImportPath, items[i].size)
	}
	fmt.Fprintf(h, "%d\n", s.N)
	parts := partition(items, s.N)
	var out []*listedPackage
	for _, lp := range roots {
		if parts[lp.ImportPath] == s.K-1 {
			out = append(out, lp)
		}
	}
	return out
}

// newPartitionHash starts the digest of a sharded check's partition.
func newPartitionHash() hash.Hash {
	h := sha256.New()
	h.Write([]byte("modls partition 1\n"))
	return h
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
